"""P4 with replicas: one Friday delivered by several `taskforce run --platform slack`
processes on one database, against the rate-limited fake Slack; P5, their peak memory.

The Friday's rows are queued here (benchmarks/delivery.py) and held back (their next
attempt far away) while the replicas start: real processes configured by their
environment only, on the wall clock (the pacing state they share is in wall time),
their Slack Web API the fake. They run their scheduler as in production: its first
tick at start, then the delivery loop every 2 seconds (8 sends in flight each). So
that their ticks at the wall clock's "now" queue nothing new, the same tick is run
here first and what it queued counted as delivered. The held rows are then released
at once and the time runs until none of them is left queued.

    python -m benchmarks.delivery --platform slack --replicas 2 --url URL [--projects N]
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.engine import Engine

from benchmarks import processes
from benchmarks.fake_platforms import LimitedSlack
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage

HELD = datetime(2100, 1, 1, tzinfo=UTC)  # the Friday's rows wait here while replicas start
GIVE_UP = 1800.0  # seconds: a run that has not delivered by then is reported as it stands


def hold(engine: Engine) -> int:
    """Hold back every queued row; the highest id held."""
    with engine.begin() as conn:
        last = conn.execute(text("SELECT max(id) FROM outbox WHERE state = 'queued'")).scalar()
        conn.execute(
            update(OutboxMessage).where(OutboxMessage.state == "queued").values(
                next_attempt_at=HELD
            )
        )
    return int(last or 0)


def catch_up_now(url: str, engine: Engine) -> int:
    """The tick the replicas' schedulers would run at start, run here; what it queued is
    counted as delivered (the held rows stay). How many rows that was."""
    run_due(JobEnv(engine, Clock(), Settings(database_url=url, timezone="Asia/Shanghai")))
    with engine.begin() as conn:
        done = conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "queued", OutboxMessage.next_attempt_at < HELD)
            .values(state="sent")
        )
    return int(done.rowcount or 0)


def release(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(OutboxMessage).where(OutboxMessage.next_attempt_at == HELD).values(
                next_attempt_at=datetime.now(UTC)
            )
        )


def left(engine: Engine, last: int) -> int:
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM outbox WHERE state = 'queued' AND id <= :last"),
            {"last": last},
        )
        return int(found.scalar() or 0)


def deliver(url: str, engine: Engine, replicas: int, folder: Path,
            limit: float = GIVE_UP) -> tuple[LimitedSlack, float, list[float], int]:
    """The held Friday delivered by `replicas` servers: the fake (what it accepted and
    refused), the seconds from release to the last row sent, each server's peak MB, and
    how many rows the tick at the wall clock's now queued (counted as delivered)."""
    last = hold(engine)
    extra = catch_up_now(url, engine)
    fake = LimitedSlack()
    with fake:
        env = processes.slack_env(url, fake.url)
        servers = [processes.taskforce_run(env, folder, f"replica-{n}") for n in range(replicas)]
        try:
            for server in servers:
                server.wait_ready()
            time.sleep(3)  # their first ticks (nothing due) and delivery rounds are past
            release(engine)
            start = time.perf_counter()
            while left(engine, last) and time.perf_counter() - start < limit:
                time.sleep(0.1)
            seconds = time.perf_counter() - start
        finally:
            peaks = [server.stop() + server.workers_mb for server in servers]  # with its worker
    return fake, seconds, peaks, extra

