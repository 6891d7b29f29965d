"""The 09:00 sweep: overdue alerts and due-date reminders, per timezone/calendar group.

The sweep runs once per group and morning (claimed as job `morning`, period
the date). It looks only at due dates that became alert- or reminder-worthy
since the group's previous morning, so it costs what is due, and a week of
downtime is caught up in one run. A group's first morning ever (no previous
period recorded) covers only its latest period, the latest working morning:
a job missed during downtime runs once, for its latest period (DESIGN.md), and
history from before the bot ran is not alerted. Alerts are keyed
`overdue:<item>:<due>`: the escalation ladder's first `owner` notice is this
alert, not a second one.

Each group is its own transaction: one that fails is logged, recorded for
`taskforce status` (job `morning:failed`) and tried again after RETRY; the other
groups go out all the same. Within a group, a notice that cannot be rendered is
logged with its project key and skipped, and the rest are queued.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlmodel import Session

from bot.jobs.periods import (
    ONE_DAY,
    last_working_day,
    morning_day,
    overdue_cutoff,
    remind_before_cutoff,
)
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import item_notices
from bot.outbox.enqueue import enqueue_many
from bot.workdays import WorkCalendar, calendar_for
from storage import jobruns, people, sweeps
from storage.engine import transaction
from storage.models import ActionItem, Project

log = logging.getLogger(__name__)
JOB = "morning"
RETRY = timedelta(hours=1)  # a group whose sweep failed is tried again after this


@job(JOB)
def morning_sweep(env: JobEnv) -> int:
    with transaction(env.engine) as db:
        groups = sweeps.calendar_groups(db)
    queued = 0
    for zone, calendar in groups:
        scope = f"{zone}|{calendar}"
        try:
            queued += _sweep_group(env, zone, calendar, scope)
        except Exception:
            log.exception("morning sweep of %s failed; trying again in %s", scope, RETRY)
            _failed(env, scope)
    return queued


def _failed(env: JobEnv, scope: str) -> None:
    now = env.clock.now()
    try:
        with transaction(env.engine) as db:
            jobruns.record_failure(db, JOB, scope, now.date().isoformat(), now)
    except Exception:
        log.exception("could not record the failed morning sweep of %s", scope)


def first_previous(calendar: WorkCalendar, day: date) -> date:
    """For a group's first morning ever: the morning before the latest working morning
    at or before `day`, as if it had run, so that only that working morning's alerts
    go out (on a Saturday, Friday's)."""
    return last_working_day(calendar, day) - ONE_DAY


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        failed = jobruns.last_failure(db, JOB, scope)
    if failed is not None and now < failed + RETRY:
        return 0  # backing off
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    with transaction(env.engine) as db:
        last = jobruns.last_period(db, JOB, scope)
        previous = date.fromisoformat(last) if last else day - ONE_DAY
        if previous >= day:
            return 0
        if not jobruns.claim(db, JOB, scope, day.isoformat(), now):
            return 0
        if failed is not None:
            jobruns.clear_failures(db, JOB, scope)
        since = previous if last else first_previous(calendar, day)
        found = [
            ("overdue", r)
            for r in sweeps.active_due_between(
                db,
                zone,
                calendar_name,
                overdue_cutoff(calendar, since),
                overdue_cutoff(calendar, day),
            )
        ]
        if local_now.date() == day:  # reminders on their own morning only, never late
            after = max(remind_before_cutoff(calendar, previous), day)
            found += [
                ("remind_before", r)
                for r in sweeps.active_due_between(
                    db, zone, calendar_name, after, remind_before_cutoff(calendar, day)
                )
            ]
            if calendar.is_working(day):
                found += [
                    ("remind_due", r)
                    for r in sweeps.active_due_between(
                        db, zone, calendar_name, day - timedelta(days=1), day
                    )
                ]
        return _queue(db, env, calendar, day, found)


def _queue(
    db: Session,
    env: JobEnv,
    calendar: WorkCalendar,
    day: date,
    found: list[tuple[str, tuple[ActionItem, Project]]],
) -> int:
    owners = people.by_ids(db, (item.owner_id for _, (item, _) in found))
    bindings = sweeps.bindings_of(db, list({project.id for _, (_, project) in found}))
    notices: list[tuple[Notice, int]] = [
        (notice, project.id)
        for kind, (item, project) in found
        for notice in item_notices(
            kind,
            item,
            project,
            owners.get(item.owner_id),
            bindings[project.id],
            day,
            env.clock.today(project.timezone),
            calendar,
        )
    ]
    keys = {project.id: project.key for _, (_, project) in found}

    def skip(notice: Notice, project_id: int | None, error: Exception) -> None:
        log.error(
            "morning notice %s of project %s could not be rendered; skipped",
            notice.dedupe_key,
            keys.get(project_id or 0),
            exc_info=error,
        )
        scope = f"{keys.get(project_id or 0)}:{notice.dedupe_key}"[:80]
        jobruns.record_failure(db, JOB, scope, day.isoformat(), env.clock.now())

    return enqueue_many(db, notices, env.clock.now(), env.settings.timezone, on_error=skip)
