"""The data the meeting's messages show (agenda, minutes, digest lines), for handlers and jobs.

Open escalations, open reviews and the rest come from the features' own view
modules, so the agenda, the digest and the commands show the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import Clock, as_utc
from bot.digest_sections import DigestTarget, Sections
from bot.meeting_time import Occurrence, current, upcoming
from bot.views import item_rows
from bot.workdays import calendar_for
from storage import digest_sets, meeting_sets, people, projects
from storage import meetings as store
from storage.meetings import AUTO_CLOSED, ENDED, NOT_HELD, AgendaTopic, Meeting, MeetingSlot
from storage.models import ActionItem, Person, Project

LIMIT = 10  # rows per agenda section before "… and N more"
DECISIONS_IN_DIGEST = 10


def taken_place(meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.state in (ENDED, AUTO_CLOSED, NOT_HELD)


def is_over(db: Session, project_id: int) -> Callable[[date], bool]:
    """Whether the project's meeting of a date has taken place (or was not held)."""

    def over(day: date) -> bool:
        return taken_place(store.meeting_on(db, project_id, day))

    return over


def topic_row(topic: AgendaTopic, names: dict[int, Person]) -> dict[str, Any]:
    presenter = names.get(topic.presenter_id or 0)
    return {
        "id": f"T{topic.seq}",
        "topic": topic.topic,
        "presenter": presenter.display_name if presenter else "-",
        "minutes": topic.minutes,
        "carried": topic.carried_from is not None,
    }


def topic_rows(db: Session, topics: Sequence[AgendaTopic]) -> list[dict[str, Any]]:
    names = people.by_ids(db, (t.presenter_id for t in topics if t.presenter_id))
    return [topic_row(t, names) for t in topics]


def meeting_row(occurrence: Occurrence | Meeting) -> dict[str, Any]:
    day = occurrence.day if isinstance(occurrence, Occurrence) else occurrence.occurs_on
    return {
        "date": day,
        "time": occurrence.at,
        "tz": occurrence.tz,
        "minutes": occurrence.minutes,
        "moved_from": occurrence.moved_from,
        "holiday": occurrence.holiday,
    }


def _names(found: dict[int, Person], ids: Sequence[int]) -> list[str]:
    return [found[i].display_name for i in ids if i in found]


def _held_early_on(meeting: Meeting) -> date | None:
    """The day a meeting started ahead of its own (a team meeting early that week)."""
    if meeting.started_at is None:
        return None
    day = as_utc(meeting.started_at).astimezone(ZoneInfo(meeting.tz)).date()
    return day if day < meeting.occurs_on else None


def minutes_data(db: Session, clock: Clock, project: Project, meeting: Meeting) -> dict[str, Any]:
    """The minutes of `meeting`: only its own attendance, decisions, items and topics."""
    present = list(store.attendees(db, meeting.id))
    members = [
        person.id
        for membership, person in projects.members(db, project.id)
        if membership.role != "viewer"
    ]
    absent = [pid for pid in members if pid not in set(present)]
    decisions = store.decisions_of(db, meeting.id)
    found_items = [db.get(ActionItem, i) for i in store.item_ids(db, meeting.id)]
    new_items = [i for i in found_items if i is not None]
    names = people.by_ids(db, [*present, *absent, *(d.by_id for d in decisions if d.by_id)])
    return {
        "project": {"key": project.key, "name": project.name},
        "meeting": meeting_row(meeting) | {"state": meeting.state,
                                           "held_early_on": _held_early_on(meeting)},
        "attendees": _names(names, present),
        "absentees": _names(names, absent),
        "decisions": [
            {"text": d.text, "by": names[d.by_id].display_name if d.by_id in names else "-"}
            for d in decisions
        ],
        "items": item_rows(db, new_items, {project.id: clock.today(project.timezone)}),
        "covered": topic_rows(db, store.topics_done_in(db, meeting.id)),
        "not_covered": topic_rows(db, store.queued_topics(db, project.id)),
    }


def digest_meeting(
    db: Session, clock: Clock, project: Project, since: datetime | None
) -> dict[str, Any]:
    """The digest's meeting lines: the next meeting, and decisions since the last digest."""
    target = DigestTarget(project, clock.today(project.timezone), since)
    return digest_section(db, clock, [target])[target.id]


def digest_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """`digest_meeting` for many projects: slots, decisions and whether each slot's current
    meeting took place, in one query each."""
    ids = [t.id for t in targets]
    slots = {s.project_id: s for s in digest_sets.rows_of_projects(db, MeetingSlot, ids)}
    sinces = {t.id: t.since for t in targets}
    decisions = digest_sets.decisions_since(db, sinces, DECISIONS_IN_DIGEST)
    now = clock.now()
    current_days = {
        t.id: current(slots[t.id], t.project, calendar_for(t.project.calendar), now).day
        for t in targets if t.id in slots
    }
    over = meeting_sets.over_on(db, list(current_days.items()))
    out: Sections = {}
    for target in targets:
        slot, project = slots.get(target.id), target.project
        next_meeting = None
        if slot is not None:
            calendar = calendar_for(project.calendar)
            occurrence = upcoming(slot, project, calendar, now,
                                  lambda day, pid=target.id: (pid, day) in over)
            next_meeting = meeting_row(occurrence)
        texts = [d.text for d in decisions.get(target.id, [])]
        out[target.id] = {"next_meeting": next_meeting, "decisions": texts}
    return out
