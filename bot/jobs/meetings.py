"""The weekly meeting's scheduled work: the agenda before it, the reminder, and the close.

Slots with something due are found by `next_at` (indexed); meetings to close by
(state, close_at) (indexed), so a tick costs what is due, not every project.
The agenda and the reminder are claimed per project and meeting date (jobs
`meeting-agenda`, `meeting-reminder`) and keyed in the outbox
(`agenda:<project>:<date>`), so each goes out once across restarts and
replicas; after downtime a missed agenda still posts while the meeting has not
ended, a missed reminder only before the start. A meeting nobody ended closes
itself an hour after its slot, with its minutes; one nobody started is
recorded as not held and its topics carry over (job `meeting-close`).

Due slots are worked CHUNK at a time, each chunk one transaction built from a fixed
number of set queries (bot/agenda_view.py for the agendas); a chunk that fails is worked
again slot by slot, each its own transaction: one that fails is logged and tried again
after RETRY; the others go on. Each meeting to close is its own transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from bot.agenda_view import agendas_of
from bot.jobs.registry import JobEnv, job
from bot.meeting_flow import channel_posts, close, not_held
from bot.meeting_time import Occurrence, current, next_due, upcoming
from bot.meeting_view import meeting_row
from bot.messages import Notice
from bot.notices import to_channels
from bot.outbox.enqueue import enqueue, enqueue_many
from bot.workdays import calendar_for
from storage import digest_sets, jobruns, meeting_sets, reviews, sweeps
from storage import meetings as store
from storage.engine import transaction
from storage.meetings import AUTO_CLOSED, RUNNING, SCHEDULED, Meeting, MeetingSlot
from storage.models import Project

log = logging.getLogger(__name__)
JOB = "meeting"
BATCH = 500
CHUNK = 100  # slots worked per transaction
RETRY = timedelta(hours=1)


@job(JOB)
def meeting_sweep(env: JobEnv) -> int:
    now = env.clock.now()
    queued = 0
    with transaction(env.engine) as db:
        closing = store.due_to_close(db, now, BATCH)
    for meeting_id in closing:  # first, so that carried topics are on the next agenda
        try:
            queued += _close(env, meeting_id, now)
        except Exception:
            log.exception("closing meeting #%s failed; trying again on the next tick", meeting_id)
    with transaction(env.engine) as db:
        due = store.due_slots(db, now, BATCH)
    for start in range(0, len(due), CHUNK):
        chunk = list(due[start : start + CHUNK])
        try:
            queued += _slots(env, chunk, now)
        except Exception:
            log.exception("meetings of %s projects failed together; each alone", len(chunk))
            queued += sum(_alone(env, project_id, now) for project_id in chunk)
    return queued


def _alone(env: JobEnv, project_id: int, now: datetime) -> int:
    try:
        return _slots(env, [project_id], now)
    except Exception:
        log.exception("meeting of project #%s failed; trying again in %s", project_id, RETRY)
        _back_off(env, project_id, now)
        return 0


def _close(env: JobEnv, meeting_id: int, now: datetime) -> int:
    with transaction(env.engine) as db:
        meeting = db.get(Meeting, meeting_id)
        if meeting is None or meeting.state not in (SCHEDULED, RUNNING) or meeting.close_at > now:
            return 0
        period = meeting.occurs_on.isoformat()
        if not jobruns.claim(db, "meeting-close", str(meeting.id), period, now):
            return 0
        project = db.get(Project, meeting.project_id)
        if meeting.state == SCHEDULED:
            not_held(db, meeting)
            return 0
        data = close(db, env.clock, project, meeting, AUTO_CLOSED, now)
        notices = channel_posts(db, project, "meeting_minutes", data, f"minutes:{meeting.id}")
        return enqueue(db, notices, now, env.settings.timezone, project.id)


def _slots(env: JobEnv, project_ids: list[int], now: datetime) -> int:
    """The agendas and reminders due for these projects' slots, and each slot's next time."""
    with transaction(env.engine) as db:
        found = digest_sets.rows_of_projects(db, MeetingSlot, project_ids)
        slots = {s.project_id: s for s in found if s.next_at <= now}  # else: done just now
        projects = reviews.projects_by_ids(db, slots)
        wanted = [(projects[pid], slots[pid]) for pid in project_ids if pid in projects]
        occurrences = _occurrences(db, wanted, now)
        meetings = meeting_sets.ensure_meetings(
            db, [o.row(pid) for pid, o in occurrences.items()])
        agendas: list[tuple[Project, MeetingSlot, Occurrence]] = []
        reminders: list[tuple[Project, Occurrence]] = []
        for project, slot in wanted:
            occurrence = occurrences[project.id]
            if meetings[(project.id, occurrence.day)].state != SCHEDULED:
                continue
            if occurrence.agenda_at <= now < occurrence.end:
                agendas.append((project, slot, occurrence))
            if occurrence.remind_at <= now < occurrence.start:
                reminders.append((project, occurrence))
        agendas = _claimed(db, "meeting-agenda", agendas, now)
        reminders = _claimed(db, "meeting-reminder", reminders, now)
        data = agendas_of(db, env.clock, agendas)
        channels = sweeps.bindings_of(db, [p.id for p, _ in wanted])
        notices: list[tuple[Notice, int | None]] = []
        for project, _, occurrence in agendas:
            key = f"agenda:{project.key}:{occurrence.day.isoformat()}"
            notices += _posts(channels, project, "agenda", data[project.id], key)
        for project, occurrence in reminders:
            reminder = {
                "project": {"key": project.key, "name": project.name},
                "meeting": meeting_row(occurrence),
                "in_minutes": max(1, round((occurrence.start - now).total_seconds() / 60)),
            }
            key = f"meeting-reminder:{project.key}:{occurrence.day.isoformat()}"
            notices += _posts(channels, project, "meeting_reminder", reminder, key)
        meeting_sets.move_slots(db, {pid: next_due(o, now) for pid, o in occurrences.items()})
        return enqueue_many(db, notices, now, env.settings.timezone)


def _occurrences(db: Session, wanted: list[tuple[Project, MeetingSlot]], now: datetime
                 ) -> dict[int, Occurrence]:
    """Each slot's occurrence to prepare for (whether the current one took place: one query)."""
    calendars = {p.id: calendar_for(p.calendar) for p, _ in wanted}
    days = [(p.id, current(s, p, calendars[p.id], now).day) for p, s in wanted]
    over = meeting_sets.over_on(db, days)
    return {
        p.id: upcoming(s, p, calendars[p.id], now, lambda day, pid=p.id: (pid, day) in over)
        for p, s in wanted
    }


Claim = TypeVar("Claim", bound=tuple)


def _claimed(db: Session, job_name: str, wanted: list[Claim], now: datetime) -> list[Claim]:
    """Those of `wanted` (project first, occurrence last) whose (project, day) this process
    claims for `job_name` now, in one statement."""
    periods = [(str(w[0].id), w[-1].day.isoformat()) for w in wanted]
    claimed = jobruns.claim_many(db, job_name, periods, now)
    return [w for w, period in zip(wanted, periods, strict=True) if period in claimed]


def _posts(channels: dict[int, list], project: Project, template: str, data: dict,
           key: str) -> list[tuple[Notice, int | None]]:
    posts = to_channels(channels[project.id], template, data, project.locale, key)
    return [(n, project.id) for n in posts]


def _back_off(env: JobEnv, project_id: int, now: datetime) -> None:
    try:
        with transaction(env.engine) as db:
            slot = store.slot(db, project_id)
            if slot is not None:
                slot.next_at = now + RETRY
                store.save(db, slot)
            jobruns.record_failure(db, JOB, str(project_id), now.date().isoformat(), now)
    except Exception:
        log.exception("could not record the failed meeting job of project #%s", project_id)
