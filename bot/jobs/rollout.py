"""Six months after a project switched to rollout, its process owner is reminded, once,
to review the process (半年后再优化).

The reminder is due at 09:00 project-local on the first working day on or after the
day six calendar months after the switch. Candidates come from one query (rollouts at
least MIN_DAYS old, not yet reminded); each chunk of them is one short transaction. A
reminder is claimed as job `rollout-review` (scope the project id, period the rollout
day) and keyed `rollout-review:<project>:<rollout day>` in the outbox, and the row is
marked reminded: once across restarts and replicas. A new switch to rollout starts a
new six months.
"""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.jobs.periods import MORNING, at_local
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from bot.workdays import calendar_for
from storage import jobruns, projects, readiness
from storage.engine import reading, transaction, yield_to_commands
from storage.models import Project

JOB = "rollout-review"
MONTHS = 6
MIN_DAYS = 181  # the shortest six months (from 31 August: 28 February)
CHUNK = 200


def add_months(day: date, count: int) -> date:
    """The same day `count` months later (the month's last day when it is shorter)."""
    index = day.month - 1 + count
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def review_at(project: Project, rollout_on: date) -> datetime:
    """When the reminder is due: 09:00 on the first working day from six months on."""
    day = calendar_for(project.calendar).next_working_day(add_months(rollout_on, MONTHS))
    return at_local(day, MORNING.strftime("%H:%M"), project.timezone)


@job(JOB)
def rollout_review_sweep(env: JobEnv) -> int:
    now = env.clock.now()
    with reading(env.engine) as db:
        candidates = readiness.review_due(db, now - timedelta(days=MIN_DAYS))
    due = [
        row.project_id for row, project in candidates
        if row.rollout_on is not None and review_at(project, row.rollout_on) <= now
    ]
    queued = 0
    for start in range(0, len(due), CHUNK):
        yield_to_commands(env.engine)
        with transaction(env.engine) as db:
            queued += _remind(db, env, due[start : start + CHUNK], now)
    return queued


def _remind(db: Session, env: JobEnv, project_ids: list[int], now: datetime) -> int:
    """The chunk's reminders: claimed and queued in one statement each."""
    found = readiness.not_reminded(db, project_ids)  # (another process may have sent some)
    periods = [(str(row.project_id), row.rollout_on.isoformat()) for row, _ in found]
    claimed = jobruns.claim_many(db, JOB, periods, now)
    owners = projects.process_owners(db, project_ids)
    notices: list[tuple[Notice, int | None]] = []
    for (row, project), period in zip(found, periods, strict=True):
        row.review_reminded_at = now
        db.add(row)
        if period in claimed and project.id in owners:
            key = f"{JOB}:{project.key}:{period[1]}"
            notice = dm(owners[project.id], "rollout_review", project.locale, key,
                        project=project.key, project_name=project.name,
                        rollout_on=row.rollout_on)
            notices.append((notice, project.id))
    return enqueue_many(db, notices, now, env.settings.timezone)
