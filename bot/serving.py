"""`taskforce run` on a chat platform: the adapter in the foreground; the scheduler, the
health port and (Slack) the worker processes around it, stopped in order on SIGTERM."""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from functools import partial

from bot.delivery import Sender
from bot.health import HealthServer
from bot.jobs.scheduler import start_scheduler
from bot.metrics import watch_outbox
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.warmup import warm
from bot.workers import WorkerPool


def serve(
    settings: Settings,
    platform: str,
    senders: Mapping[str, Sender],
    port: int,
    health_port: int | None = None,
) -> None:
    """Run `platform`'s adapter until SIGTERM or SIGINT."""
    runtime = build(settings)
    warm(runtime.dispatcher, [platform, "console"])
    pool = workers(runtime, platform)  # forked before any thread starts
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    runtime.health.platform = platform
    if health_port is not None:
        watch_outbox(runtime.engine, runtime.clock)
        HealthServer(runtime.health, port=health_port).start()
    scheduler = start_scheduler(runtime, senders)
    try:
        RUNNERS[platform](runtime, port, pool)
    finally:
        scheduler.shutdown(wait=False)
        if pool is not None:
            pool.stop()


def workers(runtime: Runtime, platform: str) -> WorkerPool | None:
    """Slack's worker processes (TASKFORCE_WORKERS; 0: none), started: forked."""
    if platform != "slack" or runtime.settings.workers == 0:
        return None
    from bot.adapters.slack.app import worker

    return WorkerPool(partial(worker, runtime), processes=runtime.settings.workers).start()


def _stop_on_sigterm(*_: object) -> None:
    raise SystemExit(0)  # unwinds the server loop, so the scheduler and workers stop in order


def _run_slack(runtime: Runtime, port: int, pool: WorkerPool | None) -> None:
    from bot.adapters.slack import run_slack

    run_slack(runtime, port, pool)


def _run_dingtalk(runtime: Runtime, port: int, pool: WorkerPool | None) -> None:
    from bot.adapters.dingtalk import run_dingtalk

    run_dingtalk(runtime)


RUNNERS: dict[str, Callable[[Runtime, int, WorkerPool | None], None]] = {
    "slack": _run_slack,
    "dingtalk": _run_dingtalk,
}
