"""Working-day calendars: which dates count as working days for a project."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import cache

import chinese_calendar

log = logging.getLogger(__name__)

CALENDARS = ("cn", "weekends")

_ONE_DAY = timedelta(days=1)
# No real calendar has a year without a working day; this bounds every search.
_MAX_GAP_DAYS = 366


class WorkCalendar:
    """Base class: subclasses define `name` and `is_working`."""

    name: str = ""

    def is_working(self, d: date) -> bool:
        raise NotImplementedError

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_GAP_DAYS):
            if self.is_working(d):
                return d
            d += _ONE_DAY
        raise ValueError(f"calendar {self.name!r} has no working day near {d}")

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after `start`; `start` itself when n == 0."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        for _ in range(n):
            day = self.next_working_day(day + _ONE_DAY)
        return day

    def working_days_after(self, due: date, day: date) -> int:
        """How many working days lie in (due, day]; 0 when day <= due."""
        count = 0
        d = due + _ONE_DAY
        while d <= day:
            count += self.is_working(d)
            d += _ONE_DAY
        return count

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class WeekendsCalendar(WorkCalendar):
    """Monday to Friday are working days, every week of the year."""

    name = "weekends"

    def is_working(self, d: date) -> bool:
        return d.weekday() < 5


class ChinaCalendar(WorkCalendar):
    """PRC public holidays and adjusted weekend workdays (chinesecalendar).

    Years the package has no data for fall back to Monday to Friday, with one
    warning per year, so a far-off due date never raises.
    """

    name = "cn"

    def __init__(self) -> None:
        self._warned_years: set[int] = set()

    def is_working(self, d: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            if d.year not in self._warned_years:
                self._warned_years.add(d.year)
                log.warning("no PRC holiday data for %d; using Monday-Friday", d.year)
            return d.weekday() < 5


_CLASSES: dict[str, type[WorkCalendar]] = {"cn": ChinaCalendar, "weekends": WeekendsCalendar}


@cache
def calendar_for(name: str) -> WorkCalendar:
    """The shared calendar instance for `name` (one of CALENDARS)."""
    try:
        return _CLASSES[name]()
    except KeyError:
        raise ValueError(f"unknown calendar {name!r}; expected one of {CALENDARS}") from None
