"""Announcement reminders and the department heads' lists, at 09:00 project time.

Per timezone/calendar group, once a morning (job `announcements`, period the date):
- on the last working day before an announcement's confirm-by date, one reminder DM to
  each recipient who has not confirmed (on that morning only, never late);
- on the first working day after the confirm-by date, each department's head gets the
  list of their people who have not confirmed (the process owner when the department
  has no head, or for people in no department, and the message says why). Missed
  mornings are caught up once, like the overdue sweep; a group's first morning covers
  only its latest working morning.
Keys `announce-remind:<recipient>:<confirm-by>` and `announce-late:<announcement>:<dept>`
make each go out once whoever queues it. One read-only pass per group (set-based over
every due announcement of a chunk of its projects, storage.sweeps.group_chunks, a fixed
number of queries a chunk), rendering without the write lock, writes in chunks of CHUNK
rows each committed on its own, and the period claimed last: a crash part-way leaves the
morning unclaimed, and the next run's dedupe keys drop what went in.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.announcements_view import head_notices, reminder
from bot.jobs.groups import backing_off, each_group
from bot.jobs.morning import first_previous
from bot.jobs.periods import ONE_DAY, morning_day, overdue_cutoff, remind_before_cutoff
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.outbox.enqueue import quiet_people, render_rows
from bot.workdays import WorkCalendar, calendar_for
from storage import announcements, jobruns, outbox, people, sweeps
from storage.announcements import Pending
from storage.engine import reading, transaction
from storage.projects import process_owners

log = logging.getLogger(__name__)
JOB = "announcements"
CHUNK = 500  # outbox rows written per transaction

Queued = list[tuple[Notice, int | None]]


@job(JOB)
def announcement_sweep(env: JobEnv) -> int:
    return each_group(env, JOB, _sweep_group)


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    waiting, failed = backing_off(env, JOB, scope)
    if waiting:
        return 0
    now = env.clock.now()
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    with reading(env.engine) as db:  # never waits for (or holds) the write lock
        last = jobruns.last_period(db, JOB, scope)
        previous = date.fromisoformat(last) if last else day - ONE_DAY
        if previous >= day:
            return 0
        chunks = sweeps.group_chunks(db, zone, calendar_name)
    morning = _Morning(zone, calendar_name, calendar, day, previous,
                       previous if last else first_previous(calendar, day), local_now)
    queued = 0
    for chunk in chunks:  # one chunk of the group's projects read and held at a time
        queued += _sweep_chunk(env, morning, chunk)
    with transaction(env.engine) as db:
        jobruns.claim(db, JOB, scope, day.isoformat(), now)
        if failed is not None:
            jobruns.clear_failures(db, JOB, scope)
    return queued


@dataclass(frozen=True)
class _Morning:
    zone: str
    calendar_name: str
    calendar: WorkCalendar
    day: date
    previous: date
    since: date
    local_now: datetime


def _sweep_chunk(env: JobEnv, morning: _Morning, project_ids: list[int]) -> int:
    """One chunk of projects: read, render without the write lock, write CHUNK rows a
    transaction."""
    with reading(env.engine) as db:
        notices = _reminders(db, morning, project_ids) + _late(db, morning, project_ids)
        quiet = quiet_people(db, [n for n, _ in notices])

    def skip(notice: Notice, project_id: int | None, error: Exception) -> None:
        log.error("announcement notice %s could not be rendered; skipped", notice.dedupe_key,
                  exc_info=error)

    rows = render_rows(notices, quiet, env.clock.now(), env.settings.timezone, on_error=skip)
    queued = 0
    for start in range(0, len(rows), CHUNK):
        with transaction(env.engine) as db:
            queued += outbox.insert(db, rows[start : start + CHUNK])
    return queued


def _reminders(db: Session, morning: _Morning, project_ids: list[int]) -> Queued:
    """Confirm-by dates whose last working day before them is today: reminded now."""
    calendar, day = morning.calendar, morning.day
    if morning.local_now.date() != day or not calendar.is_working(day):
        return []
    after = max(remind_before_cutoff(calendar, morning.previous), day)
    found = announcements.pending_due_between(
        db, morning.zone, morning.calendar_name, after, remind_before_cutoff(calendar, day),
        project_ids,
    )
    by_id = announcements.projects_by_ids(db, {a.project_id for _, a in found})
    names = people.by_ids(db, (r.person_id for r, _ in found))
    return [
        (reminder(by_id[a.project_id], a, names[r.person_id], r), a.project_id)
        for r, a in found if r.person_id in names
    ]


def _late(db: Session, morning: _Morning, project_ids: list[int]) -> Queued:
    """Confirm-by dates that passed since the last morning: each head's list, once."""
    calendar = morning.calendar
    found = announcements.pending_due_between(
        db, morning.zone, morning.calendar_name, overdue_cutoff(calendar, morning.since),
        overdue_cutoff(calendar, morning.day), project_ids,
    )
    if not found:
        return []
    grouped: dict[int, list[Pending]] = defaultdict(list)
    for row, announcement in found:
        grouped[announcement.id].append((row, announcement))
    by_id = announcements.projects_by_ids(db, {a.project_id for _, a in found})
    owners = process_owners(db, by_id)
    depts = people.departments_by_ids(db, {r.department_id for r, _ in found})
    names = people.by_ids(db, [
        *(r.person_id for r, _ in found), *(d.head_id for d in depts.values() if d.head_id)
    ])
    queued: Queued = []
    for rows in grouped.values():
        announcement = rows[0][1]
        project = by_id[announcement.project_id]
        pending = [r for r, _ in rows]
        queued += [(n, project.id) for n in head_notices(
            project, announcement, pending, owners.get(project.id), depts, names)]
    return queued
