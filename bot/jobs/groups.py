"""Work done per (timezone, calendar) group of projects, the same way by every morning job.

Each group is its own unit: one that fails is logged, recorded for `taskforce status`
(`jobruns.record_failure`, scope `<zone>|<calendar>`) and left alone for RETRY, while the
other groups go out all the same.

Every job run through `each_group` claims the group's morning (`morning_day`, an ISO
date) as its period. One run of the jobs (`run_due`) reads the groups and their newest
claims and failures once, for all of them, and skips a group whose morning is claimed
already or that is backing off: a tick with nothing due costs one read, not a few per
job and group. The claim stays the truth: a group not skipped claims its morning (and
finds it taken when another process got there since the read).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.jobs.periods import morning_day
from bot.jobs.registry import JOBS, JobEnv
from storage import jobruns, sweeps
from storage.engine import reading, transaction

log = logging.getLogger(__name__)
RETRY = timedelta(hours=1)  # a group whose work failed is tried again after this

# (env, zone, calendar name, scope) -> messages queued
GroupWork = Callable[[JobEnv, str, str, str], int]


@dataclass(frozen=True)
class Claims:
    """The groups, and per (job, scope) the newest morning claimed and the last failure."""

    groups: Sequence[tuple[str, str]]
    latest: dict[tuple[str, str], tuple[str, datetime]]

    def settled(self, env: JobEnv, job: str, zone: str, scope: str) -> bool:
        """Whether `job` has nothing to do for the group now: its morning is claimed, or
        it failed less than RETRY ago (what the job itself would find)."""
        claimed = self.latest.get((job, scope))
        if claimed is not None and claimed[0] >= morning_day(env.clock.local(zone)).isoformat():
            return True
        failed = self.latest.get((job + jobruns.FAILED, scope))
        return failed is not None and env.clock.now() < failed[1] + RETRY


def claims(env: JobEnv) -> Claims:
    """Read once per run of the jobs (`env.memo`), fresh outside one."""
    if env.memo is not None and "claims" in env.memo:
        return env.memo["claims"]
    with reading(env.engine) as db:
        groups = sweeps.calendar_groups(db)
        jobs = [name + suffix for name in JOBS for suffix in ("", jobruns.FAILED)]
        found = Claims(groups, jobruns.latest(db, jobs, [f"{z}|{c}" for z, c in groups]))
    if env.memo is not None:
        env.memo["claims"] = found
    return found


def each_group(env: JobEnv, job: str, work: GroupWork) -> int:
    """Run `work` for every (timezone, calendar) group that may have something due; the
    messages queued in all."""
    known = claims(env)
    queued = 0
    for zone, calendar in known.groups:
        scope = f"{zone}|{calendar}"
        if known.settled(env, job, zone, scope):
            continue
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
