"""Daily housekeeping: forget the inbound request keys kept for once-only handling.

The keys go in chunks of short transactions (storage.seen.forget_before), so a
command never waits behind a long delete; a crash mid-way leaves old keys that
the next day's run forgets."""

from __future__ import annotations

from bot.jobs.registry import JobEnv, job
from storage import jobruns, seen
from storage.engine import transaction

JOB = "housekeeping"


@job(JOB)
def housekeeping(env: JobEnv) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        if not jobruns.claim(db, JOB, "all", now.date().isoformat(), now):
            return 0
    seen.forget_before(env.engine, now - seen.KEEP)
    return 0  # it queues no messages
