"""Reading what people type about KPIs: a value with its unit, the day of a cadence,
a page number, and the moment a backfilled value is dated at."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.converters import convert
from bot.dates import weekday_number
from bot.errors import CommandError
from bot.tokens import Token

VALUE_WITH_UNIT = re.compile(r"^\s*([-+]?[\d,]*\.?\d+)\s*(.*?)\s*$")
MONTH_DAY = re.compile(r"^(\d{1,2})(?:号|日|st|nd|rd|th)?$")
MONTH_AND_DAY = re.compile(r"^(\d{1,2})(?:[-/]|月)(\d{1,2})[日号]?$")
PAGE = re.compile(r"^(?:第)?(\d{1,4})页?$")
# spellings of one unit: a value may carry any of them when the KPI has one
UNIT_SPELLINGS = (
    {"天", "日", "d", "day", "days"},
    {"小时", "h", "hour", "hours"},
    {"周", "星期", "w", "week", "weeks"},
    {"%", "percent", "pct", "百分比"},
    {"个", "件", "次", "pcs", "times"},
)
DEFAULT_DAY = {"week": 0, "month": 1}  # Monday; the 1st
HALF_YEAR = 183  # days


def same_unit(typed: str, unit: str | None) -> bool:
    a, b = typed.strip().lower(), (unit or "").strip().lower()
    if a == b or a.rstrip("s") == b.rstrip("s"):
        return True
    return any(a in group and b in group for group in UNIT_SPELLINGS)


def value_and_unit(ctx: Context, raw: str) -> tuple[float, str]:
    """A recorded value and the unit typed with it, if any (`43天`, `43 days`)."""
    found = VALUE_WITH_UNIT.match(raw)
    if not found:
        raise CommandError("parse.number", value=raw)
    return convert(ctx, "number", "value", found.group(1)), found.group(2)


def parse_on_day(every: str, raw: object) -> int:
    """The cadence's day: a weekday (Monday 0) for `week`, a day of the month for `month`."""
    if raw is None:
        return DEFAULT_DAY[every]
    text = str(raw).strip().lower()
    if every == "week":
        weekday = weekday_number(text)
        if weekday is None:
            raise CommandError("kpi.bad_weekday", value=str(raw))
        return weekday
    found = MONTH_DAY.match(text)
    if not found or not 1 <= int(found.group(1)) <= 31:
        raise CommandError("kpi.bad_month_day", value=str(raw))
    return int(found.group(1))


def page_of(tokens: list[Token]) -> tuple[list[Token], int]:
    """The tokens without a trailing `page 2` / `第2页`, and the page number."""
    if len(tokens) >= 2 and tokens[-2].word in ("page", "页") and tokens[-1].text.isdigit():
        return tokens[:-2], max(1, int(tokens[-1].text))
    if tokens and tokens[-1].word.startswith("第") and (found := PAGE.match(tokens[-1].word)):
        return tokens[:-1], max(1, int(found.group(1)))
    return tokens, 1


def start_of_day(day: date, zone: str) -> datetime:
    """A backfilled value is dated at the start of its day, in the project's timezone."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def past_month_day(raw: str, today: date) -> date | None:
    """`11-16` / `11月16日` for a backfill: this year's, or last year's when this year's is
    more than half a year ahead (`12-28` typed in January); None for any other form."""
    found = MONTH_AND_DAY.match(raw.strip())
    if not found:
        return None
    month, day = int(found.group(1)), int(found.group(2))
    try:
        this_year = date(today.year, month, day)
        if (this_year - today).days <= HALF_YEAR:
            return this_year
        return date(today.year - 1, month, day)
    except ValueError:
        raise CommandError("date.nonexistent", value=raw) from None
