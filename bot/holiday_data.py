"""What the two holiday packages say about a PRC date, with the holiday's name in both languages.

- chinesecalendar (1.11, the newest release) has the official arrangement, 调休
  working weekends included, for 2004–2026 and raises NotImplementedError for
  any other year.
- `holidays.China` (0.108+) computes the statutory holidays for 1950–2100
  (names in en_US and zh_CN) and lists in `weekend_workdays` the 调休 working
  weekends it knows. Checked on 0.109: for 2027 and later it knows none (the
  set only holds a few dates of 2001–2026), so its data for such a year is
  *provisional* until an administrator types the published arrangement in.

`package_day(d)` answers from the first package that has data for d's year.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

import chinese_calendar
import holidays

log = logging.getLogger(__name__)

Source = Literal["override", "chinesecalendar", "holidays"]
Kind = Literal["holiday", "workday"]
# chinesecalendar's Chinese names, as people say them
_ZH_FULL = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


@dataclass(frozen=True)
class DayInfo:
    """A day off or a 调休 working day, where it comes from, and its names."""

    day: date
    kind: Kind
    source: Source
    name_en: str = ""
    name_zh: str = ""

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


@cache
def has_chinesecalendar(year: int) -> bool:
    """Whether chinesecalendar has the official arrangement of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _chinesecalendar_day(d: date) -> DayInfo | None:
    off, name = chinese_calendar.get_holiday_detail(d)
    weekend = d.weekday() >= 5
    if off and (name or not weekend):
        kind: Kind = "holiday"
    elif not off and weekend:
        kind = "workday"
    else:
        return None
    try:
        holiday = chinese_calendar.Holiday(name)
        en, zh = holiday.value, _ZH_FULL.get(holiday.chinese, holiday.chinese)
    except ValueError:  # an unnamed day off on a weekday
        en, zh = "", ""
    return DayInfo(d, kind, "chinesecalendar", en, zh)


@cache
def _holidays_year(year: int) -> tuple[dict[date, str], dict[date, str], frozenset[date]]:
    """`holidays.China` for one year: English names, Chinese names, 调休 working weekends."""
    try:
        english = holidays.China(years=year, language="en_US")
        chinese = holidays.China(years=year, language="zh_CN")
    except Exception:  # a year the package refuses: no holidays known
        log.warning("holidays.China has no data for %d; using Monday-Friday", year)
        return {}, {}, frozenset()
    workdays = frozenset(
        d for d in getattr(english, "weekend_workdays", ()) if d.year == year
    )
    return dict(english.items()), dict(chinese.items()), workdays


def holidays_day(d: date) -> DayInfo | None:
    english, chinese, workdays = _holidays_year(d.year)
    if d in english:
        return DayInfo(d, "holiday", "holidays", english[d], chinese.get(d, english[d]))
    if d in workdays:
        return DayInfo(d, "workday", "holidays")
    return None


def package_day(d: date) -> DayInfo | None:
    """The packages' word on `d`: a day off, a 调休 working day, or None (an ordinary day)."""
    if has_chinesecalendar(d.year):
        return _chinesecalendar_day(d)
    return holidays_day(d)


def holidays_knows_workdays(year: int) -> bool:
    """Whether `holidays.China` knows any 调休 working weekend of `year`."""
    return bool(_holidays_year(year)[2])


def package_year(year: int) -> list[DayInfo]:
    """Every day off and 调休 working day of `year`, in date order (weekends only in a holiday)."""
    found = []
    d = date(year, 1, 1)
    while d.year == year:
        info = package_day(d)
        if info is not None:
            found.append(info)
        d += timedelta(days=1)
    return found
