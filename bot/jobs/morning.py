"""The 09:00 sweep: overdue alerts and due-date reminders, per timezone/calendar group.

The sweep runs once per group and morning (claimed as job `morning`, period
the date). It looks only at due dates that became alert- or reminder-worthy
since the group's previous morning, so it costs what is due, and a week of
downtime is caught up in one run. Alerts are keyed `overdue:<item>:<due>`: the
escalation ladder's first `owner` notice is this alert, not a second one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from bot.events import dm
from bot.jobs.periods import (
    morning_day,
    overdue_cutoff,
    remind_before_cutoff,
)
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue_many
from bot.views import item_row
from bot.workdays import WorkCalendar, calendar_for
from storage import jobruns, people, sweeps
from storage.engine import transaction
from storage.models import ActionItem, Project

JOB = "morning"


@job(JOB)
def morning_sweep(env: JobEnv) -> int:
    with transaction(env.engine) as db:
        groups = sweeps.calendar_groups(db)
    return sum(_sweep_group(env, zone, calendar) for zone, calendar in groups)


def _sweep_group(env: JobEnv, zone: str, calendar_name: str) -> int:
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    scope = f"{zone}|{calendar_name}"
    with transaction(env.engine) as db:
        last = jobruns.last_period(db, JOB, scope)
        previous = date.fromisoformat(last) if last else None
        if previous is not None and previous >= day:
            return 0
        if not jobruns.claim(db, JOB, scope, day.isoformat(), env.clock.now()):
            return 0
        lo = overdue_cutoff(calendar, previous) if previous else None
        found = [
            ("overdue", r)
            for r in sweeps.active_due_between(
                db, zone, calendar_name, lo, overdue_cutoff(calendar, day)
            )
        ]
        if local_now.date() == day:  # reminders on their own morning only, never late
            after = max(remind_before_cutoff(calendar, previous), day) if previous else day
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
    notices: list[tuple[Notice, int]] = []
    for kind, (item, project) in found:
        owner = owners.get(item.owner_id)
        data: dict[str, Any] = {
            "item": item_row(item, owner, env.clock.today(project.timezone)),
            "project": project.key,
            "project_name": project.name,
            "working_days": calendar.working_days_after(item.due_date, day),
        }
        key = f"{kind}:{item.id}:{item.due_date.isoformat()}"
        if kind == "overdue":
            notices.extend(
                (
                    Notice(
                        Target(b.platform, channel_id=b.channel_id),  # type: ignore[arg-type]
                        "overdue_alert",
                        data,
                        locale=project.locale,
                        dedupe_key=key,
                    ),
                    project.id,
                )
                for b in bindings[project.id]
            )
        if owner is not None:
            notices.append((dm(owner, f"{kind}_dm", project.locale, key, **data), project.id))
    return enqueue_many(db, notices, env.clock.now(), env.settings.timezone)
