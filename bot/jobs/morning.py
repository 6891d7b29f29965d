"""The 09:00 sweep: overdue alerts and due-date reminders, per timezone/calendar group.

The sweep runs once per group and morning (job `morning`, period the date). It
looks only at due dates that became alert- or reminder-worthy since the group's
previous morning, so it costs what is due, and a week of downtime is caught up
in one run. A group's first morning ever (no previous period recorded) covers
only its latest period, the latest working morning: a job missed during
downtime runs once, for its latest period (DESIGN.md), and history from before
the bot ran is not alerted.

Each owner gets a DM per item, keyed `overdue:<item>:<due>` (the escalation
ladder's first `owner` notice is this DM, not a second one). Each project
channel gets ONE grouped post (bot/grouped.py, paged to fit its platform)
listing the items that reached their alert day, the items reopened since the
last post (storage/grouped.py), and a count of those still overdue from before;
keyed per (channel, day, kind). No items, no post.

Short transactions: the group's projects a chunk at a time (storage.sweeps.
group_chunks: one chunk of a morning's backlog held at once), each read in one
transaction, its notices rendered outside any transaction and written `CHUNK`
projects at a time, each chunk committed on its own; the period is claimed last.
A crash part-way leaves the period unclaimed: the next run queues it again and the
dedupe keys drop what went in already.
A group that fails is logged, recorded for `taskforce status` (job
`morning:failed`) and tried again after RETRY; the other groups go out all the
same. A notice that cannot be rendered is logged with its project key and skipped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.jobs.groups import RETRY, each_group
from bot.jobs.periods import (
    ONE_DAY,
    last_working_day,
    morning_day,
    overdue_cutoff,
    remind_before_cutoff,
)
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import item_notices, overdue_post_notices
from bot.outbox.enqueue import quiet_people, render_rows
from bot.workdays import WorkCalendar, calendar_for
from storage import grouped, jobruns, outbox, people, sweeps
from storage.engine import transaction
from storage.items import ACTIVE
from storage.models import ActionItem, ChannelBinding, Person, Project

log = logging.getLogger(__name__)
JOB = "morning"
CHUNK = 100  # projects written per transaction


@job(JOB)
def morning_sweep(env: JobEnv) -> int:
    return each_group(env, JOB, _sweep_group)


def first_previous(calendar: WorkCalendar, day: date) -> date:
    """For a group's first morning ever: the morning before the latest working morning
    at or before `day`, as if it had run, so that only that working morning's alerts
    go out (on a Saturday, Friday's)."""
    return last_working_day(calendar, day) - ONE_DAY


@dataclass
class _Project:
    """What one project's morning sends: notices, and the pending listings it used up."""

    project: Project
    notices: list[Notice] = field(default_factory=list)
    pending_ids: list[int] = field(default_factory=list)
    # the grouped post, built (rendered to fit) outside any transaction
    listed: list[tuple[ActionItem, Person | None]] = field(default_factory=list)
    older: int = 0
    channels: list[ChannelBinding] = field(default_factory=list)


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    now = env.clock.now()
    with transaction(env.engine) as db:
        failed = jobruns.last_failure(db, JOB, scope)
        last = jobruns.last_period(db, JOB, scope)
    if failed is not None and now < failed + RETRY:
        return 0  # backing off
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    previous = date.fromisoformat(last) if last else day - ONE_DAY
    if previous >= day:
        return 0
    since = previous if last else first_previous(calendar, day)
    with transaction(env.engine) as db:
        chunks = sweeps.group_chunks(db, zone, calendar_name)
    queued = 0
    for chunk in chunks:  # one chunk of the group's projects read and held at a time
        with transaction(env.engine) as db:
            work = _gather(db, env, zone, calendar_name, calendar, day, since, previous,
                           local_now, chunk)
            quiet = quiet_people(db, [n for w in work.values() for n in w.notices])
        projects = list(work.values())
        for start in range(0, len(projects), CHUNK):
            queued += _write(env, projects[start : start + CHUNK], quiet, day, calendar)
    with transaction(env.engine) as db:
        jobruns.claim(db, JOB, scope, day.isoformat(), now)
        if failed is not None:
            jobruns.clear_failures(db, JOB, scope)
    return queued


def _gather(
    db,  # noqa: ANN001
    env: JobEnv,
    zone: str,
    calendar_name: str,
    calendar: WorkCalendar,
    day: date,
    since: date,
    previous: date,
    local_now,  # noqa: ANN001
    project_ids: list[int],
) -> dict[int, _Project]:
    """Every notice of the group's morning, by project (set queries, no query per project)."""
    overdue = sweeps.active_due_between(
        db, zone, calendar_name, overdue_cutoff(calendar, since), overdue_cutoff(calendar, day),
        project_ids,
    )
    pending = grouped.pending_of_group(db, zone, calendar_name, project_ids)
    reminders: list[tuple[str, tuple[ActionItem, Project]]] = []
    if local_now.date() == day:  # reminders on their own morning only, never late
        after = max(remind_before_cutoff(calendar, previous), day)
        reminders += [
            ("remind_before", r)
            for r in sweeps.active_due_between(
                db, zone, calendar_name, after, remind_before_cutoff(calendar, day), project_ids
            )
        ]
        if calendar.is_working(day):
            reminders += [
                ("remind_due", r)
                for r in sweeps.active_due_between(
                    db, zone, calendar_name, day - timedelta(days=1), day, project_ids
                )
            ]
    items = [i for i, _ in overdue] + [i for _, i, _ in pending] + [i for _, (i, _) in reminders]
    owners = people.by_ids(db, (i.owner_id for i in items))
    work: dict[int, _Project] = {}
    listed: dict[int, dict[int, ActionItem]] = defaultdict(dict)

    def of(project: Project) -> _Project:
        return work.setdefault(project.id, _Project(project))

    def owner_dm(kind: str, item: ActionItem, project: Project) -> None:
        today = env.clock.today(project.timezone)
        owner = owners.get(item.owner_id)
        of(project).notices += item_notices(kind, item, project, owner, day, today, calendar)

    for item, project in overdue:
        listed[project.id][item.id] = item
        owner_dm("overdue", item, project)
    for row, item, project in pending:  # reopened after their post: DM'd already
        of(project).pending_ids.append(row.id)
        if item.status in ACTIVE and item.due_date == row.due_date:
            listed[project.id].setdefault(item.id, item)
    for kind, (item, project) in reminders:
        owner_dm(kind, item, project)
    cutoff = overdue_cutoff(calendar, since)
    older = grouped.overdue_counts(db, list(listed), cutoff)
    bindings = sweeps.bindings_of(db, list(listed))
    for project_id, items_of in listed.items():
        entry = work[project_id]
        rows = sorted(items_of.values(), key=lambda i: (i.due_date, i.seq))
        entry.listed = [(i, owners.get(i.owner_id)) for i in rows]
        entry.older = max(0, older.get(project_id, 0) - sum(i.due_date <= cutoff for i in rows))
        entry.channels = bindings[project_id]
    return work


def _write(
    env: JobEnv, chunk: list[_Project], quiet: dict, day: date, calendar: WorkCalendar
) -> int:
    """Build and render a chunk of projects' notices (no transaction held), then store
    them in one short transaction with the pending listings they used up."""
    for w in chunk:
        w.notices += overdue_post_notices(w.project, w.channels, w.listed, w.older, day, calendar)
    errors: list[tuple[Notice, int | None, Exception]] = []
    notices = [(n, w.project.id) for w in chunk for n in w.notices]
    tz = env.settings.timezone
    rows = render_rows(notices, quiet, env.clock.now(), tz, lambda *e: errors.append(e))
    keys = {w.project.id: w.project.key for w in chunk}
    with transaction(env.engine) as db:
        for notice, project_id, error in errors:
            log.error(
                "morning notice %s of project %s could not be rendered; skipped",
                notice.dedupe_key,
                keys.get(project_id or 0),
                exc_info=error,
            )
            scope = f"{keys.get(project_id or 0)}:{notice.dedupe_key}"[:80]
            jobruns.record_failure(db, JOB, scope, day.isoformat(), env.clock.now())
        queued = outbox.insert(db, rows)
        grouped.drop_pending(db, [i for w in chunk for i in w.pending_ids])
    return queued
