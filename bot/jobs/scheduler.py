"""APScheduler only wakes the process up; what is due is decided from our database.

Job stores are in memory (never shared between processes, see DESIGN.md);
each wake-up runs every due job (bot.jobs.runner) and drains the outbox.
Missed wake-ups coalesce into one run (`misfire_grace_time=None`, so a late
run is never skipped), and a run at start catches up what downtime missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import Sender
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.outbox.loop import DeliveryLoop
from storage.delivery_tables import OutboxMessage

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
JOB_SECONDS = 60  # how often to look for due jobs (alerts are at 09:00, digests at HH:MM)
DELIVERY_SECONDS = 2  # how often to drain the outbox of event notices
# rows sent at once, each to a different channel: one hanging channel holds only itself
DELIVERY_WORKERS = 8


def start_scheduler(
    runtime: Runtime,
    senders: Mapping[str, Sender],
    *,
    on_sent: Callable[[OutboxMessage], None] | None = None,
    job_seconds: float = JOB_SECONDS,
    delivery_seconds: float = DELIVERY_SECONDS,
) -> BackgroundScheduler:
    """Start the jobs and the delivery loop in background threads; `scheduler.shutdown()` stops."""
    env = JobEnv(runtime.engine, runtime.clock, runtime.settings)
    loop = DeliveryLoop(
        env.engine, env.clock, senders, on_sent=on_sent, workers=DELIVERY_WORKERS
    )

    def jobs() -> None:
        run_due(env)  # what it queues, `deliver` sends within seconds

    def deliver() -> None:
        try:
            loop.run_once()
        except Exception:
            log.exception("delivery round failed; retrying on the next one")

    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(jobs, id="catch-up")  # once, at start
    scheduler.add_job(jobs, IntervalTrigger(seconds=job_seconds), id="jobs")
    scheduler.add_job(deliver, IntervalTrigger(seconds=delivery_seconds), id="delivery")
    scheduler.start()
    return scheduler
