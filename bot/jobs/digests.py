"""Scheduled progress digests: one post per project, channel and period.

A project without a schedule row gets the default (weekly, Friday 17:00) dated
from its creation. Due schedules are found by `next_at` (indexed). A period is
claimed as job `digest` (scope the project id, period `2026-W48` or
`2026-11-27`); after downtime only the latest missed period is posted, with
the content as of now. Each digest moves the project's "since last" mark.
"""

from __future__ import annotations

from datetime import datetime

from bot.handlers.digests import digest_data
from bot.jobs.periods import latest_fire, period_key
from bot.jobs.registry import JobEnv, job
from bot.jobs.schedule import first_at, next_digest
from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from bot.workdays import calendar_for
from storage import digests, jobruns, sweeps
from storage.engine import transaction
from storage.models import Project

JOB = "digest"
BATCH = 500


@job(JOB)
def digest_sweep(env: JobEnv) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        digests.add_defaults(db, digests.unscheduled(db), first_at)
    queued = 0
    while True:  # in batches, until every due schedule has moved past now
        with transaction(env.engine) as db:
            due = [schedule.project_id for schedule, _ in digests.due(db, now, BATCH)]
        if not due:
            return queued
        queued += sum(_post(env, project_id, now) for project_id in due)


def _post(env: JobEnv, project_id: int, now: datetime) -> int:
    with transaction(env.engine) as db:
        schedule = digests.get(db, project_id)
        project = db.get(Project, project_id)
        if schedule is None or project is None or schedule.next_at > now:
            return 0  # another process has just posted it
        calendar = calendar_for(project.calendar)
        fire = latest_fire(
            schedule.cadence, schedule.weekday, schedule.at, project.timezone, calendar, now
        )
        queued = 0
        period = period_key(schedule.cadence, fire, project.timezone) if fire else None
        if period and jobruns.claim(db, JOB, str(project.id), period, now):
            data = digest_data(db, env.clock, project, schedule.since, schedule.cadence)
            notices = [
                Notice(
                    Target(b.platform, channel_id=b.channel_id),  # type: ignore[arg-type]
                    "digest",
                    data,
                    locale=project.locale,
                    dedupe_key=f"digest:{project.key}:{period}",
                )
                for b in sweeps.bindings_of(db, [project.id])[project.id]
            ]
            queued = enqueue(db, notices, now, env.settings.timezone, project.id)
            schedule.since = now
        schedule.next_at = next_digest(schedule, project, now)
        digests.save(db, schedule)
        return queued
