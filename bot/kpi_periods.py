"""A KPI cadence's periods as pure functions of dates and the project calendar.

A period starts on its due day (week: the cadence's weekday in a Monday-based week;
month: its day of the month, the month's last day when shorter) and ends where the next
one starts; a value belongs to the period its date falls in. The owner is asked at 09:00
on the due day, moved to the next working day when it is not one; asked again two
working days later; the working day after that second ask, a period still without a
value is stale and the process owner is told. A period whose ask days off pushed into
the next period (a weekly KPI due in the National Day week) is not asked for at all.
"""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import as_utc
from bot.workdays import WorkCalendar
from storage.kpis import KpiCadence

SECOND_ASK_AFTER = 2  # working days after the first ask


@dataclass(frozen=True)
class Period:
    key: str  # `2026-W49` or `2026-12`
    start: date  # the due day
    end: date  # the next period's due day (exclusive)
    ask: date
    second: date
    stale: date

    def holds(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def swallowed(self) -> bool:
        """Days off moved its ask into the next period: only the next one is asked for."""
        return self.ask >= self.end


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, stdcal.monthrange(year, month)[1]))


def due_on_or_before(every: str, day: int, ref: date) -> date:
    """The due day of the period `ref` falls in."""
    if every == "week":
        due = ref - timedelta(days=ref.weekday()) + timedelta(days=day)
        return due if due <= ref else due - timedelta(days=7)
    due = _month_day(ref.year, ref.month, day)
    if due <= ref:
        return due
    year, month = (ref.year, ref.month - 1) if ref.month > 1 else (ref.year - 1, 12)
    return _month_day(year, month, day)


def _next_due(every: str, day: int, due: date) -> date:
    if every == "week":
        return due + timedelta(days=7)
    year, month = (due.year, due.month + 1) if due.month < 12 else (due.year + 1, 1)
    return _month_day(year, month, day)


def _key(every: str, due: date) -> str:
    if every == "week":
        year, week, _ = due.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{due.year}-{due.month:02d}"


def period_from(every: str, day: int, due: date, calendar: WorkCalendar) -> Period:
    ask = calendar.next_working_day(due)
    second = calendar.add_working_days(ask, SECOND_ASK_AFTER)
    return Period(
        key=_key(every, due), start=due, end=_next_due(every, day, due), ask=ask,
        second=second, stale=calendar.add_working_days(second, 1),
    )


def recent_periods(every: str, day: int, today: date, calendar: WorkCalendar) -> list[Period]:
    """The period `today` falls in and the one before it (whose asks may still run)."""
    current = due_on_or_before(every, day, today)
    previous = due_on_or_before(every, day, current - timedelta(days=1))
    return [period_from(every, day, previous, calendar), period_from(every, day, current, calendar)]


def last_stale_period(
    every: str, day: int, today: date, calendar: WorkCalendar
) -> Period | None:
    """The latest period whose stale day is today or earlier (None within the first ones)."""
    for period in reversed(recent_periods(every, day, today, calendar)):
        if period.stale <= today and not period.swallowed:
            return period
    return None


def local_date(moment: datetime, zone: str) -> date:
    """The date a value is for: its `recorded_at` in the project's timezone."""
    return as_utc(moment).astimezone(ZoneInfo(zone)).date()


def counts_from(set_at: datetime, zone: str) -> date:
    """The first ask day that counts: periods asked before the cadence was set are not
    the owner's (no asks, never stale)."""
    return local_date(set_at, zone) + timedelta(days=1)


def is_stale(
    cadence: KpiCadence, latest: date | None, today: date, zone: str, calendar: WorkCalendar
) -> bool:
    """Whether the KPI's latest period has passed its second ask without a value."""
    period = last_stale_period(cadence.every, cadence.day, today, calendar)
    if period is None or period.ask < counts_from(cadence.set_at, zone):
        return False
    return latest is None or latest < period.start
