"""When a weekly meeting happens: its occurrences after holiday moves, and their times.

A meeting planned on a non-working day of the project calendar moves to the next
working day, same time (COMMANDS.md). Which day is a holiday is decided on the
meeting's local date. When a move lands on (or past) the next planned meeting,
the two are one meeting, which still says it was moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.workdays import WorkCalendar
from storage.meetings import Meeting, MeetingSlot
from storage.models import Project

log = logging.getLogger(__name__)
GRACE = timedelta(hours=1)  # an unended meeting closes itself this long after its slot
WEEK = timedelta(days=7)
SEARCH_WEEKS = 60


@dataclass(frozen=True)
class Occurrence:
    day: date  # the local date it is held on
    at: str
    tz: str
    minutes: int
    start: datetime  # UTC
    moved_from: date | None = None
    holiday: str | None = None
    agenda_hours: int = 24
    reminder_minutes: int = 15

    @property
    def close_at(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes) + GRACE

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def agenda_at(self) -> datetime:
        return self.start - timedelta(hours=self.agenda_hours)

    @property
    def remind_at(self) -> datetime:
        return self.start - timedelta(minutes=self.reminder_minutes)

    def row(self, project_id: int) -> Meeting:
        return Meeting(
            project_id=project_id,
            occurs_on=self.day,
            at=self.at,
            tz=self.tz,
            minutes=self.minutes,
            scheduled_at=self.start,
            close_at=self.close_at,
            moved_from=self.moved_from,
            holiday=self.holiday,
        )


def zone_of(slot: MeetingSlot, project: Project) -> str:
    return slot.tz or project.timezone


def holiday_name(calendar: WorkCalendar, day: date, locale: str) -> str | None:
    """The holiday's name when the calendar can tell it (`holiday_name`), else None."""
    namer = getattr(calendar, "holiday_name", None)
    if not callable(namer):
        return None
    try:
        name = namer(day, locale)
    except Exception:  # a calendar without data for the year: say "a non-working day"
        log.warning("no holiday name for %s", day)
        return None
    return str(name) if name else None


def occurrences(
    slot: MeetingSlot, project: Project, calendar: WorkCalendar, first_week: date
) -> Iterator[Occurrence]:
    """The slot's meetings from the Monday-based week of `first_week` on, in order."""
    zone = zone_of(slot, project)
    hour, minute = (int(part) for part in slot.at.split(":"))
    monday = first_week - timedelta(days=first_week.weekday())
    last: date | None = None
    for week in range(SEARCH_WEEKS):
        planned = monday + week * WEEK + timedelta(days=slot.weekday)
        day = calendar.next_working_day(planned)
        if last is not None and day <= last:
            continue  # a move onto the next meeting: they are one
        last = day
        moved = planned if day != planned else None
        start = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        yield Occurrence(
            day=day,
            at=slot.at,
            tz=zone,
            minutes=slot.minutes,
            start=start,
            moved_from=moved,
            holiday=holiday_name(calendar, planned, project.locale) if moved else None,
            agenda_hours=slot.agenda_hours,
            reminder_minutes=slot.reminder_minutes,
        )


def current(
    slot: MeetingSlot, project: Project, calendar: WorkCalendar, now: datetime
) -> Occurrence:
    """The meeting the slot is on now: the first one not yet past its close time."""
    local = now.astimezone(ZoneInfo(zone_of(slot, project))).date()
    for occurrence in occurrences(slot, project, calendar, local - WEEK - WEEK):
        if occurrence.close_at > now:
            return occurrence
    raise ValueError("no meeting within a year")


def upcoming(
    slot: MeetingSlot,
    project: Project,
    calendar: WorkCalendar,
    now: datetime,
    held: Callable[[date], bool],
) -> Occurrence:
    """The meeting to prepare for: the current one, or the next when `held(day)` says the
    current one already took place (ended early, or recorded as not held)."""
    occurrence = current(slot, project, calendar, now)
    return following(slot, project, calendar, occurrence) if held(occurrence.day) else occurrence


def following(
    slot: MeetingSlot, project: Project, calendar: WorkCalendar, after: Occurrence
) -> Occurrence:
    """The meeting after `after`."""
    for occurrence in occurrences(slot, project, calendar, after.day):
        if occurrence.day > after.day:
            return occurrence
    raise ValueError("no meeting within a year")


def next_due(occurrence: Occurrence, now: datetime) -> datetime:
    """When the job next has something to do for this occurrence."""
    pending = [t for t in (occurrence.agenda_at, occurrence.remind_at) if t > now]
    return min(pending) if pending else occurrence.close_at
