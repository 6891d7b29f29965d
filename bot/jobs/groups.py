"""Work done per (timezone, calendar) group of projects, the same way by every morning job.

Each group is its own unit: one that fails is logged, recorded for `taskforce status`
(`jobruns.record_failure`, scope `<zone>|<calendar>`) and left alone for RETRY, while the
other groups go out all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.jobs.registry import JobEnv
from storage import jobruns, sweeps
from storage.engine import transaction

log = logging.getLogger(__name__)
RETRY = timedelta(hours=1)  # a group whose work failed is tried again after this

# (env, zone, calendar name, scope) -> messages queued
GroupWork = Callable[[JobEnv, str, str, str], int]


def each_group(env: JobEnv, job: str, work: GroupWork) -> int:
    """Run `work` for every (timezone, calendar) group; the messages queued in all."""
    with transaction(env.engine) as db:
        groups = sweeps.calendar_groups(db)
    queued = 0
    for zone, calendar in groups:
        scope = f"{zone}|{calendar}"
        try:
            queued += work(env, zone, calendar, scope)
        except Exception:
            log.exception("job %s for %s failed; trying again in %s", job, scope, RETRY)
            record_failure(env, job, scope)
    return queued


def record_failure(env: JobEnv, job: str, scope: str) -> None:
    now = env.clock.now()
    try:
        with transaction(env.engine) as db:
            jobruns.record_failure(db, job, scope, now.date().isoformat(), now)
    except Exception:
        log.exception("could not record the failure of job %s for %s", job, scope)


def backing_off(env: JobEnv, job: str, scope: str) -> tuple[bool, datetime | None]:
    """(whether the group is still waiting after a failure, the failure's time if any)."""
    with transaction(env.engine) as db:
        failed = jobruns.last_failure(db, job, scope)
    return failed is not None and env.clock.now() < failed + RETRY, failed


def claim_day(
    db: Session, env: JobEnv, job: str, scope: str, day: date, failed: datetime | None
) -> tuple[date, bool] | None:
    """Claim the group's morning `day` in this transaction, clearing an earlier failure.

    (the group's previous morning — the day before when none ran —, whether none had run),
    or None when `day` was claimed already, here or by another process."""
    last = jobruns.last_period(db, job, scope)
    previous = date.fromisoformat(last) if last else day - timedelta(days=1)
    if previous >= day or not jobruns.claim(db, job, scope, day.isoformat(), env.clock.now()):
        return None
    if failed is not None:
        jobruns.clear_failures(db, job, scope)
    return previous, last is None
