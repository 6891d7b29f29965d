"""Due dates: a small closed grammar of English and Chinese forms (see COMMANDS.md).

Due dates are whole days: any time of day is refused rather than dropped.
"""

from __future__ import annotations

import calendar as _stdcal
import re
import unicodedata
from datetime import date, datetime, timedelta

from bot.errors import CommandError
from bot.workdays import WorkCalendar

_RELATIVE = {
    "yesterday": -1,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "today": 0,
    "今天": 0,
    "今日": 0,
    "tomorrow": 1,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
}

_EN_WEEKDAYS = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)} | {"两": 2}

_NUM = r"(\d{1,4}|[一二两三四五六七八九十]{1,3})"
_EN_WEEKDAY_RE = re.compile(r"(next |this )?([a-z]+)")
# 周五 (the next one), 本周五/这周五 (this week's), 下周五, 下下周五 (weeks ahead)
_ZH_WEEKDAY_RE = re.compile(r"(下下个?|下个?|本|这个?)?(?:周|星期|礼拜)([一二三四五六日天])")
_MONTH_END = ("月底", "本月底", "这个月底", "end of month", "end of the month", "eom")
_NEXT_MONTH_START = ("下月初", "下个月初", "start of next month")
_PLUS_RE = re.compile(r"\+(\d{1,4})(d|w|wd)")
_ZH_OFFSET_RE = re.compile(_NUM + r"个?(天|日|周|星期|礼拜|工作日)后")
_YMD_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})/(\d{1,2})/(\d{1,2})")
_ZH_YMD_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?")
_MD_RE = re.compile(
    r"(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})|(\d{1,2})\.(\d{1,2})|(\d{1,2})月(\d{1,2})[日号]?"
)

_TIME_RE = re.compile(
    r"\d{1,2}:\d{2}"
    r"|(?<![a-z])\d{0,2} ?(?:am|pm|a\.m\.|p\.m\.)(?![a-z])"
    r"|(?<![a-z])(?:noon|midnight|morning|afternoon|evening|tonight)(?![a-z])"
    r"|[上下中]午|早上|晚上|凌晨|傍晚|夜里|半夜|今晚|明早|明晚"
    r"|[\d零〇一二两三四五六七八九十]+ ?[点時时]"
    r"|小时|分钟|\+\d+h(?![a-z])"
)

# Anchored at the start of a token; a token that matches may begin a date.
_START_RE = re.compile(
    r"next$|this$|end$|eom$|\+\d+(?:d|w|wd)$|\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}[-/.]\d{1,2}$"
    r"|\d{4}年|\d{1,2}月\d{1,2}|今天|今日|明天|明日|大?后天|月底|本月底|下个?月初"
    r"|(?:下下|下|本|这)个?(?:周|星期|礼拜)"
    r"|(?:周|星期|礼拜)[一二三四五六日天]|" + _NUM + r"个?(?:天|日|周|星期|礼拜|工作日)后"
)


class _NoSuchDay(Exception):
    """A date-shaped text whose month has no such day (02-30, 13-01)."""


def format_iso(d: date) -> str:
    return d.isoformat()


def _normalize(text: str) -> str:
    # NFKC folds full-width digits and punctuation (１２／０１, ＋３ｄ) to ASCII.
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"\s+", " ", s)
    # Spaces next to CJK characters carry no meaning ("3 天后", "2026 年 12 月").
    return re.sub(r" ?([^\x00-\x7f]) ?", r"\1", s)


def is_date_start(token: str) -> bool:
    """Whether a whitespace-free token could begin a due date ("next", "fri", "+3d", "明天")."""
    s = _normalize(token)
    return s in _EN_WEEKDAYS or s in _RELATIVE or _START_RE.match(s) is not None


def _zh_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    tens, sep, units = s.partition("十")
    if not sep:
        return _ZH_DIGITS[s] if len(s) == 1 else -1
    high = _ZH_DIGITS.get(tens, -1) if tens else 1
    low = _ZH_DIGITS.get(units, -1) if units else 0
    return high * 10 + low if high > 0 and low >= 0 else -1


def weekday_number(word: str) -> int | None:
    """Monday 0 … Sunday 6 for a weekday word (`fri`, `Friday`, `周五`, `星期天`), else None."""
    text = word.strip().lower()
    if text in _EN_WEEKDAYS:
        return _EN_WEEKDAYS[text]
    zh = re.fullmatch(r"(?:周|星期|礼拜)([一二三四五六日天])", text)
    return _ZH_WEEKDAYS[zh.group(1)] if zh else None


def _weekday(today: date, weekday: int, weeks_ahead: int | None) -> date:
    """`weeks_ahead` None: the next such weekday (today included); 0: this week's;
    1: next week's; 2: the week after."""
    if weeks_ahead is not None:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * weeks_ahead + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


_WEEKS_AHEAD = {"next ": 1, "this ": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2,
                "本": 0, "这": 0, "这个": 0}


def _month_end(today: date, months_ahead: int = 0) -> date:
    year, month = divmod(today.month - 1 + months_ahead, 12)
    year += today.year
    return date(year, month + 1, _stdcal.monthrange(year, month + 1)[1])


def _offset(today: date, n: int, unit: str, calendar: WorkCalendar) -> date:
    if unit in ("wd", "工作日"):
        return calendar.add_working_days(today, n)
    days = n if unit in ("d", "天", "日") else 7 * n
    return today + timedelta(days=days)


def _groups(m: re.Match[str]) -> list[int]:
    return [int(g) for g in m.groups() if g is not None]


def _next_month_day(today: date, month: int, day: int) -> date:
    """The first month/day on or after today; Feb 29 waits for a leap year."""
    if not (1 <= month <= 12 and 1 <= day <= _stdcal.monthrange(2000, month)[1]):
        raise _NoSuchDay
    year = today.year
    while True:
        if day <= _stdcal.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year += 1


def _parse(s: str, today: date, calendar: WorkCalendar) -> date | None:
    if s in _RELATIVE:
        return today + timedelta(days=_RELATIVE[s])
    if s in _MONTH_END:
        return _month_end(today)
    if s in _NEXT_MONTH_START:
        return _month_end(today) + timedelta(days=1)
    if m := _EN_WEEKDAY_RE.fullmatch(s):
        if m[2] in _EN_WEEKDAYS:
            return _weekday(today, _EN_WEEKDAYS[m[2]], _WEEKS_AHEAD.get(m[1] or ""))
        return None
    if m := _ZH_WEEKDAY_RE.fullmatch(s):
        return _weekday(today, _ZH_WEEKDAYS[m[2]], _WEEKS_AHEAD.get(m[1] or ""))
    if m := _PLUS_RE.fullmatch(s):
        return _offset(today, int(m[1]), m[2], calendar)
    if m := _ZH_OFFSET_RE.fullmatch(s):
        n = _zh_number(m[1])
        return _offset(today, n, m[2], calendar) if n >= 0 else None
    if m := _YMD_RE.fullmatch(s) or _ZH_YMD_RE.fullmatch(s):
        try:
            return date(*_groups(m))
        except ValueError:
            raise _NoSuchDay from None
    if m := _MD_RE.fullmatch(s):
        return _next_month_day(today, *_groups(m))
    return None


def parse_due(text: str, today: date, calendar: WorkCalendar, *, allow_past: bool = False) -> date:
    """The due date `text` names, relative to `today`; CommandError when it names none."""
    if isinstance(today, datetime):
        today = today.date()
    value = text.strip()
    s = _normalize(text)
    if _TIME_RE.search(s):
        raise CommandError("date.has_time", value=value)
    try:
        due = _parse(s, today, calendar)
    except _NoSuchDay:
        raise CommandError("date.nonexistent", value=value) from None
    except (OverflowError, ValueError):  # beyond date.max
        due = None
    if due is None:
        raise CommandError("date.invalid", value=value)
    if due < today and not allow_past:
        raise CommandError("date.past", value=value, date=format_iso(due))
    return due
