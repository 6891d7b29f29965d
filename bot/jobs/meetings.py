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

Each slot and each meeting is its own transaction: one that fails is logged and
tried again after RETRY; the others go on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.jobs.registry import JobEnv, job
from bot.meeting_flow import channel_posts, close, not_held
from bot.meeting_time import next_due, upcoming
from bot.meeting_view import agenda_data, is_over, meeting_row
from bot.outbox.enqueue import enqueue
from bot.workdays import calendar_for
from storage import jobruns
from storage import meetings as store
from storage.engine import transaction
from storage.meetings import AUTO_CLOSED, RUNNING, SCHEDULED, Meeting
from storage.models import Project

log = logging.getLogger(__name__)
JOB = "meeting"
BATCH = 500
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
    for project_id in due:
        try:
            queued += _slot(env, project_id, now)
        except Exception:
            log.exception("meeting of project #%s failed; trying again in %s", project_id, RETRY)
            _back_off(env, project_id, now)
    return queued


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


def _slot(env: JobEnv, project_id: int, now: datetime) -> int:
    with transaction(env.engine) as db:
        slot = store.slot(db, project_id)
        project = db.get(Project, project_id)
        if slot is None or project is None or slot.next_at > now:
            return 0  # another process has just done it
        calendar = calendar_for(project.calendar)
        occurrence = upcoming(slot, project, calendar, now, is_over(db, project.id))
        meeting = store.ensure_meeting(db, occurrence.row(project.id))
        day = occurrence.day.isoformat()
        notices = []
        waiting = meeting.state == SCHEDULED
        agenda_due = waiting and occurrence.agenda_at <= now < occurrence.end
        if agenda_due and jobruns.claim(db, "meeting-agenda", str(project.id), day, now):
            data = agenda_data(db, env.clock, project, slot, occurrence)
            key = f"agenda:{project.key}:{day}"
            notices += channel_posts(db, project, "agenda", data, key)
        remind_due = waiting and occurrence.remind_at <= now < occurrence.start
        if remind_due and jobruns.claim(db, "meeting-reminder", str(project.id), day, now):
            data = {
                "project": {"key": project.key, "name": project.name},
                "meeting": meeting_row(occurrence),
                "in_minutes": max(1, round((occurrence.start - now).total_seconds() / 60)),
            }
            key = f"meeting-reminder:{project.key}:{day}"
            notices += channel_posts(db, project, "meeting_reminder", data, key)
        slot.next_at = next_due(occurrence, now)
        store.save(db, slot)
        return enqueue(db, notices, now, env.settings.timezone, project.id)


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
