"""`taskforce run` on a chat platform: the adapter in the foreground; the scheduler, the
health port and (Slack) the worker processes around it, stopped in order on SIGTERM.
With worker processes the scheduler runs in the first of them, beside the commands."""

from __future__ import annotations

import importlib
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
from bot.workers import Handle, WorkerPool
from storage.schema_version import migrate_apart

# what each platform's serving loads; loaded before the workers are forked, so that they
# share it with the serving process instead of each loading a copy of its own
ADAPTERS = {"slack": "bot.adapters.slack.serve", "dingtalk": "bot.adapters.dingtalk.app"}


def serve(
    settings: Settings,
    platform: str,
    senders: Mapping[str, Sender],
    port: int,
    health_port: int | None = None,
) -> None:
    """Run `platform`'s adapter until SIGTERM or SIGINT."""
    runtime = prepare(settings, platform)
    pool = workers(runtime, platform, senders)  # forked before any thread starts
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    runtime.health.platform = platform
    if pool is not None:
        runtime.health.workers = pool.alive
    if health_port is not None:
        watch_outbox(runtime.engine, runtime.clock)
        HealthServer(runtime.health, port=health_port).start()
    scheduler = start_scheduler(runtime, senders) if pool is None else None
    try:
        RUNNERS[platform](runtime, port, pool)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if pool is not None:
            pool.stop()


def prepare(settings: Settings, platform: str) -> Runtime:
    """The database migrated (in a child process: alembic stays out of this long-running
    one), the runtime built, `platform`'s adapter loaded, everything warmed."""
    runtime = build(settings, migrate=False, heads=migrate_apart(settings.database_url))
    importlib.import_module(ADAPTERS[platform])
    warm(runtime.dispatcher, [platform, "console"])
    return runtime


def workers(
    runtime: Runtime, platform: str, senders: Mapping[str, Sender]
) -> WorkerPool | None:
    """Slack's worker processes (TASKFORCE_WORKERS; 0: none), started: forked."""
    if platform != "slack" or runtime.settings.workers == 0:
        return None
    setup = partial(_slack_worker, runtime, senders)
    return WorkerPool(setup, processes=runtime.settings.workers).start()


def _slack_worker(runtime: Runtime, senders: Mapping[str, Sender], index: int) -> Handle:
    """A worker's commands; the first worker also runs the scheduler, so that the serving
    process only acks (a Friday tick never holds an ack up) and, on SQLite, the jobs and the
    commands they let go first are in one process (storage.engine.yield_to_commands)."""
    from bot.adapters.slack.app import worker

    handle = worker(runtime)
    if index == 0:
        start_scheduler(runtime, senders)
    return handle


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
