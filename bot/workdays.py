"""Working-day calendars: which dates count as working days for a project.

`cn` (the PRC calendar) reads, in order:

1. the organisation's overrides (`calendar holiday` / `calendar workday`,
   table `calendaroverride`): they win over both packages;
2. chinesecalendar, which has the official arrangement to 2026;
3. `holidays.China`, which computes the statutory holidays of later years
   but knows no 调休 working weekend of them (bot/holiday_data.py);
4. Monday to Friday.

A year that only step 3 covers and that has no `workday` override yet is
*provisional*: `calendar show` says so and each project's first digest in it
says so once. `weekends` is Monday to Friday and ignores all of this.

How the overrides reach the calendars without a query per `is_working`: the
calendars read a process-wide, immutable snapshot of the override table.
`refresh_overrides(db)` runs at the start of every dispatched command and of
every job tick; it costs one aggregate query (row count and sum of revisions,
which changes with every committed write, storage/calendar.py) and reloads the
table only when that version differs from the snapshot's, so a replica sees
another replica's override from its next command or tick on. The command that
writes an override reloads the snapshot from its own transaction at once; if
that transaction then rolls back, the snapshot is marked stale and the next
refresh reloads it. The snapshot is keyed by the database URL as well, so one
process that talks to several databases (the tests) never mixes them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from sqlalchemy import event
from sqlmodel import Session

from bot.holiday_data import (
    DayInfo,
    has_chinesecalendar,
    holidays_day,
    holidays_knows_workdays,
    package_day,
    package_year,
)
from storage import calendar as overrides_table

log = logging.getLogger(__name__)

CALENDARS = ("cn", "weekends")

_ONE_DAY = timedelta(days=1)
# No real calendar has a year without a working day; this bounds every search.
_MAX_GAP_DAYS = 366


@dataclass(frozen=True)
class Overrides:
    """The override table of one database as of one version (never changed in place)."""

    version: tuple[str, int, int] | None = None
    days: Mapping[date, DayInfo] = field(default_factory=dict)
    settled_years: frozenset[int] = frozenset()  # years with a typed 调休 working day


class _Store:
    def __init__(self) -> None:
        self.current = Overrides()
        self.lock = threading.Lock()


_store = _Store()


def _version(db: Session) -> tuple[str, int, int]:
    url = db.get_bind().url.render_as_string(hide_password=True)
    return (url, *overrides_table.version(db))


def _load(db: Session, version: tuple[str, int, int]) -> Overrides:
    days: dict[date, DayInfo] = {}
    for row in overrides_table.all_overrides(db):
        known = package_day(row.day)
        en = row.name or (known.name_en if known and known.kind == row.kind else "")
        zh = row.name or (known.name_zh if known and known.kind == row.kind else "")
        days[row.day] = DayInfo(row.day, row.kind, "override", en, zh)  # type: ignore[arg-type]
    settled = frozenset(d.year for d, info in days.items() if info.kind == "workday")
    return Overrides(version, days, settled)


def refresh_overrides(db: Session) -> None:
    """Bring the snapshot up to date with the database (one cheap query when nothing changed)."""
    version = _version(db)
    if _store.current.version == version:
        return
    loaded = _load(db, version)
    with _store.lock:
        _store.current = loaded


def _invalidate(_session: Session, *_args: object) -> None:
    with _store.lock:
        _store.current = Overrides(None, _store.current.days, _store.current.settled_years)


def reload_overrides(db: Session) -> None:
    """After a write in `db`'s transaction: the snapshot shows it now (dropped on rollback)."""
    db.flush()
    refresh_overrides(db)
    event.listen(db, "after_rollback", _invalidate, once=True)


def reset_overrides() -> None:
    """Forget the snapshot (no overrides until the next refresh)."""
    with _store.lock:
        _store.current = Overrides()


class WorkCalendar:
    """Base class: subclasses define `name` and `is_working`."""

    name: str = ""

    def __init__(self) -> None:
        self._counted: dict[int, tuple[object, list[int]]] = {}

    def is_working(self, d: date) -> bool:
        raise NotImplementedError

    def holiday_name(self, d: date, locale: str = "en") -> str | None:
        """The name of the holiday `d` falls in (国庆节, New Year's Day), if it is one."""
        return None

    def is_provisional(self, year: int) -> bool:
        """Whether this calendar's days off of `year` may still change."""
        return False

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
        if day <= due:
            return 0
        years = sum(self._year_counts(y)[-1] for y in range(due.year, day.year))
        return years + self._through(day) - self._through(due)

    def _through(self, d: date) -> int:
        """The working days from 1 January of `d`'s year through `d`."""
        return self._year_counts(d.year)[d.timetuple().tm_yday - 1]

    def _year_counts(self, year: int) -> list[int]:
        # the working days from 1 January through each day of `year`, kept while the
        # calendar's days stay as they are (`_days`): an item two years late is counted
        # as fast as one two days late
        days = self._days()
        kept = self._counted.get(year)
        if kept is None or kept[0] is not days:
            start, counts, total = date(year, 1, 1), [], 0
            for offset in range((date(year + 1, 1, 1) - start).days if year < 9999 else 365):
                total += self._decide(start + timedelta(days=offset))
                counts.append(total)
            kept = self._counted[year] = (days, counts)
        return kept[1]

    def _days(self) -> object:
        """What this calendar's working days depend on beyond the packages (a new object
        whenever they change)."""
        return None

    def _decide(self, d: date) -> bool:
        """Whether `d` is a working day, worked out (what the running totals are made of)."""
        return self.is_working(d)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class WeekendsCalendar(WorkCalendar):
    """Monday to Friday are working days, every week of the year."""

    name = "weekends"

    def is_working(self, d: date) -> bool:
        return d.weekday() < 5


class ChinaCalendar(WorkCalendar):
    """PRC public holidays and 调休 working weekends: overrides, chinesecalendar, holidays.

    Years chinesecalendar has no data for are read from `holidays.China`, with
    one warning per year, so a far-off due date never raises.
    """

    name = "cn"

    def __init__(self) -> None:
        super().__init__()
        self._warned_years: set[int] = set()

    def _days(self) -> object:
        return _store.current  # the override snapshot, replaced whenever it changes

    def is_working(self, d: date) -> bool:
        # chinesecalendar takes about 20 µs a date: each year is decided once (as long as
        # the overrides stay as they are) and read from the running totals after that
        before = self._through(d - _ONE_DAY) if (d.month, d.day) != (1, 1) else 0
        return self._through(d) > before

    def _decide(self, d: date) -> bool:
        override = _store.current.days.get(d)
        if override is not None:
            return override.kind == "workday"
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            pass
        if d.year not in self._warned_years:
            self._warned_years.add(d.year)
            log.warning("no chinesecalendar data for %d; using holidays.China", d.year)
        info = holidays_day(d)
        if info is not None:
            return info.kind == "workday"
        return d.weekday() < 5

    def day_info(self, d: date) -> DayInfo | None:
        """Why `d` is not an ordinary day (a holiday or a 调休 working day), or None."""
        return _store.current.days.get(d) or package_day(d)

    def holiday_name(self, d: date, locale: str = "en") -> str | None:
        info = self.day_info(d)
        if info is None or info.kind != "holiday":
            return None
        return info.name(locale) or None

    def is_provisional(self, year: int) -> bool:
        return not (
            has_chinesecalendar(year)
            or year in _store.current.settled_years
            or holidays_knows_workdays(year)
        )

    def year_days(self, year: int) -> list[DayInfo]:
        """Every day off and 调休 working day of `year`, overrides in place of package data."""
        days = {info.day: info for info in package_year(year)}
        days.update((d, info) for d, info in _store.current.days.items() if d.year == year)
        return [days[d] for d in sorted(days)]


_CLASSES: dict[str, type[WorkCalendar]] = {"cn": ChinaCalendar, "weekends": WeekendsCalendar}


@cache
def calendar_for(name: str) -> WorkCalendar:
    """The shared calendar instance for `name` (one of CALENDARS)."""
    try:
        return _CLASSES[name]()
    except KeyError:
        raise ValueError(f"unknown calendar {name!r}; expected one of {CALENDARS}") from None
