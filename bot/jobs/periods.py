"""Time rules (DESIGN.md) as pure functions of dates, calendars and instants.

Morning notices go out at 09:00 project-local. An item due D is overdue after
the end of D; its alert goes out on the first working day after D. Reminders:
the last working day before D, and the morning of D when D is a working day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.workdays import WorkCalendar

MORNING = time(9, 0)
ONE_DAY = timedelta(days=1)
SEARCH_DAYS = 400  # every schedule fires within a year


def morning_day(local_now: datetime) -> date:
    """The latest date whose 09:00 has passed at `local_now`."""
    today = local_now.date()
    return today if local_now.time() >= MORNING else today - ONE_DAY


def last_working_day(calendar: WorkCalendar, day: date) -> date:
    """`day` when it is a working day, else the working day before it."""
    for _ in range(SEARCH_DAYS):
        if calendar.is_working(day):
            return day
        day -= ONE_DAY
    raise ValueError(f"calendar {calendar.name!r} has no working day before {day}")


def overdue_cutoff(calendar: WorkCalendar, day: date) -> date:
    """The latest due date whose overdue alert is due by 09:00 on `day`."""
    return last_working_day(calendar, day) - ONE_DAY


def alert_day(calendar: WorkCalendar, due: date) -> date:
    """The first working day after `due`: when its overdue alert goes out."""
    return calendar.next_working_day(due + ONE_DAY)


def remind_before_cutoff(calendar: WorkCalendar, day: date) -> date:
    """The latest due date whose working-day-before reminder is due by 09:00 on `day`."""
    return calendar.next_working_day(day + ONE_DAY)


def at_local(day: date, hhmm: str, zone: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def fires_on(cadence: str, weekday: int | None, calendar: WorkCalendar, day: date) -> bool:
    """Daily digests go out on working days; weekly ones on their weekday (see weekly_day)."""
    if cadence == "daily":
        return calendar.is_working(day)
    return day == weekly_day(4 if weekday is None else weekday, calendar, day)


def weekly_day(weekday: int, calendar: WorkCalendar, day: date) -> date | None:
    """The weekly digest's day in `day`'s Monday-based week: its weekday; when that is a
    public holiday, the last working day before it in the same week (none in a week off).

    Staying inside the week keeps one digest per week (its period is the ISO week).
    A weekend day chosen on purpose is kept.
    """
    monday = day - timedelta(days=day.weekday())
    planned = monday + timedelta(days=weekday)
    if weekday >= 5 or calendar.is_working(planned):
        return planned
    for back in range(1, weekday + 1):
        if calendar.is_working(planned - timedelta(days=back)):
            return planned - timedelta(days=back)
    return None


def next_fire(
    cadence: str, weekday: int | None, hhmm: str, zone: str, calendar: WorkCalendar, after: datetime
) -> datetime:
    """The first digest time strictly after `after`."""
    day = after.astimezone(ZoneInfo(zone)).date()
    for _ in range(SEARCH_DAYS):
        moment = at_local(day, hhmm, zone)
        if moment > after and fires_on(cadence, weekday, calendar, day):
            return moment
        day += ONE_DAY
    raise ValueError("no digest time within a year")


def latest_fire(
    cadence: str, weekday: int | None, hhmm: str, zone: str, calendar: WorkCalendar, now: datetime
) -> datetime | None:
    """The last digest time at or before `now` (the period a catch-up run reports)."""
    day = now.astimezone(ZoneInfo(zone)).date()
    for _ in range(SEARCH_DAYS):
        moment = at_local(day, hhmm, zone)
        if moment <= now and fires_on(cadence, weekday, calendar, day):
            return moment
        day -= ONE_DAY
    return None


def period_key(cadence: str, fire: datetime, zone: str) -> str:
    """`2026-11-27` for a daily digest, `2026-W48` for a weekly one."""
    day = fire.astimezone(ZoneInfo(zone)).date()
    if cadence == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
