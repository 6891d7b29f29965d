from datetime import date, datetime

import pytest

from bot.dates import format_iso, is_date_start, parse_due
from bot.errors import CommandError
from bot.workdays import ChinaCalendar, WeekendsCalendar, WorkCalendar

D = date.fromisoformat
WEEKENDS = WeekendsCalendar()
CN = ChinaCalendar()

WED = D("2026-11-18")
FRI = D("2026-11-20")
SAT = D("2026-11-21")
SUN = D("2026-11-22")


def parse(text: str, today: date, calendar: WorkCalendar = WEEKENDS, **kw: bool) -> date:
    return parse_due(text, today, calendar, **kw)


def error(text: str, today: date = FRI, **kw: bool) -> CommandError:
    with pytest.raises(CommandError) as info:
        parse(text, today, **kw)
    return info.value


def test_today_fixtures_are_the_weekdays_we_think() -> None:
    assert [d.strftime("%a") for d in (WED, FRI, SAT, SUN)] == ["Wed", "Fri", "Sat", "Sun"]


# --- today / tomorrow ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", FRI, "2026-11-20"),
        ("今天", FRI, "2026-11-20"),
        ("今日", FRI, "2026-11-20"),
        ("tomorrow", FRI, "2026-11-21"),
        ("明天", FRI, "2026-11-21"),
        ("明日", FRI, "2026-11-21"),
        ("后天", FRI, "2026-11-22"),
        ("today", SAT, "2026-11-21"),
        ("tomorrow", SAT, "2026-11-22"),
        ("后天", SAT, "2026-11-23"),
        ("今天", WED, "2026-11-18"),
        ("明天", WED, "2026-11-19"),
        ("后天", WED, "2026-11-20"),
        ("tomorrow", D("2026-12-31"), "2027-01-01"),
        ("后天", D("2026-12-31"), "2027-01-02"),
    ],
)
def test_relative_days(text: str, today: date, expected: str) -> None:
    assert parse(text, today) == D(expected)


# --- weekdays ------------------------------------------------------------------------

# The coming such day (today if today is that day), for each `today`.
COMING = {
    FRI: ["11-23", "11-24", "11-25", "11-26", "11-20", "11-21", "11-22"],
    SAT: ["11-23", "11-24", "11-25", "11-26", "11-27", "11-21", "11-22"],
    WED: ["11-23", "11-24", "11-18", "11-19", "11-20", "11-21", "11-22"],
    SUN: ["11-23", "11-24", "11-25", "11-26", "11-27", "11-28", "11-22"],
}
# Mon-based week after today's: 11-23..11-29 for all four (they share the week 11-16..11-22).
NEXT = ["11-23", "11-24", "11-25", "11-26", "11-27", "11-28", "11-29"]

EN_NAMES = [
    ["mon", "monday"],
    ["tue", "tues", "tuesday"],
    ["wed", "wednesday"],
    ["thu", "thur", "thurs", "thursday"],
    ["fri", "friday"],
    ["sat", "saturday"],
    ["sun", "sunday"],
]
ZH_DAYS = [["一"], ["二"], ["三"], ["四"], ["五"], ["六"], ["日", "天"]]
ZH_PREFIXES = ["周", "星期", "礼拜"]


def _weekday_cases(next_week: bool) -> list[tuple[str, date, date]]:
    cases = []
    for today, coming in COMING.items():
        for wd in range(7):
            expected = D("2026-" + (NEXT[wd] if next_week else coming[wd]))
            for name in EN_NAMES[wd]:
                cases.append((f"next {name}" if next_week else name, today, expected))
            for prefix in ZH_PREFIXES:
                for day in ZH_DAYS[wd]:
                    text = f"下{prefix}{day}" if next_week else f"{prefix}{day}"
                    cases.append((text, today, expected))
    return cases


@pytest.mark.parametrize(("text", "today", "expected"), _weekday_cases(next_week=False))
def test_coming_weekday(text: str, today: date, expected: date) -> None:
    assert parse(text, today) == expected


@pytest.mark.parametrize(("text", "today", "expected"), _weekday_cases(next_week=True))
def test_next_week_weekday(text: str, today: date, expected: date) -> None:
    assert parse(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # The examples from the brief, spelled out.
        ("fri", SAT, "2026-11-27"),
        ("next fri", SAT, "2026-11-27"),
        ("下周五", SAT, "2026-11-27"),
        ("fri", WED, "2026-11-20"),
        ("next fri", WED, "2026-11-27"),
        ("下星期五", WED, "2026-11-27"),
        ("fri", FRI, "2026-11-20"),
        ("next fri", FRI, "2026-11-27"),
        ("下礼拜五", FRI, "2026-11-27"),
        ("下个周五", FRI, "2026-11-27"),
        ("下个星期五", WED, "2026-11-27"),
        # On a Sunday the next week starts tomorrow.
        ("next mon", SUN, "2026-11-23"),
        ("下周日", SUN, "2026-11-29"),
        ("周日", SUN, "2026-11-22"),
        # On a Monday, "mon" is today and "next mon" a week later.
        ("mon", D("2026-11-23"), "2026-11-23"),
        ("next mon", D("2026-11-23"), "2026-11-30"),
        ("下周一", D("2026-11-23"), "2026-11-30"),
        # Across a year boundary: Thu 2026-12-31.
        ("fri", D("2026-12-31"), "2027-01-01"),
        ("next fri", D("2026-12-31"), "2027-01-08"),
        ("下周三", D("2026-12-31"), "2027-01-06"),
    ],
)
def test_weekday_examples(text: str, today: date, expected: str) -> None:
    assert parse(text, today) == D(expected)


# --- offsets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("+3d", FRI, "2026-11-23"),
        ("+0d", FRI, "2026-11-20"),
        ("+1d", SAT, "2026-11-22"),
        ("+12d", WED, "2026-11-30"),
        ("+45d", FRI, "2027-01-04"),
        ("3天后", FRI, "2026-11-23"),
        ("3日后", FRI, "2026-11-23"),
        ("三天后", FRI, "2026-11-23"),
        ("一天后", SAT, "2026-11-22"),
        ("两天后", WED, "2026-11-20"),
        ("十天后", FRI, "2026-11-30"),
        ("十二天后", FRI, "2026-12-02"),
        ("二十天后", FRI, "2026-12-10"),
        ("+2w", FRI, "2026-12-04"),
        ("+1w", WED, "2026-11-25"),
        ("2周后", FRI, "2026-12-04"),
        ("两周后", FRI, "2026-12-04"),
        ("2星期后", FRI, "2026-12-04"),
        ("2个星期后", FRI, "2026-12-04"),
        ("三个礼拜后", SAT, "2026-12-12"),
        ("+6w", D("2026-12-20"), "2027-01-31"),
    ],
)
def test_calendar_day_offsets(text: str, today: date, expected: str) -> None:
    assert parse(text, today) == D(expected)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("+1wd", FRI, "2026-11-23"),
        ("+2wd", FRI, "2026-11-24"),
        ("+2wd", SAT, "2026-11-24"),
        ("+2wd", WED, "2026-11-20"),
        ("+3wd", WED, "2026-11-23"),
        ("+0wd", SAT, "2026-11-21"),
        ("2个工作日后", FRI, "2026-11-24"),
        ("2工作日后", FRI, "2026-11-24"),
        ("两个工作日后", WED, "2026-11-20"),
        ("五个工作日后", WED, "2026-11-25"),
        ("+2wd", D("2026-09-30"), "2026-10-02"),  # no holidays in this calendar
    ],
)
def test_working_day_offsets_weekends(text: str, today: date, expected: str) -> None:
    assert parse(text, today, WEEKENDS) == D(expected)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("+1wd", D("2026-09-30"), "2026-10-08"),  # National Day 10-01..10-07
        ("+2wd", D("2026-09-30"), "2026-10-09"),
        ("2个工作日后", D("2026-09-30"), "2026-10-09"),
        ("+3wd", D("2026-09-30"), "2026-10-10"),  # adjusted working Saturday
        ("三个工作日后", D("2026-09-30"), "2026-10-10"),
        ("+1wd", D("2026-09-18"), "2026-09-20"),  # adjusted working Sunday
        ("+2wd", FRI, "2026-11-24"),
        ("+2d", D("2026-09-30"), "2026-10-02"),  # calendar days ignore holidays
        ("+1wd", D("2027-01-01"), "2027-01-04"),  # beyond the data: Mon-Fri
    ],
)
def test_working_day_offsets_china(text: str, today: date, expected: str) -> None:
    assert parse(text, today, CN) == D(expected)


# --- absolute dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("2026-12-01", FRI, "2026-12-01"),
        ("2026/12/01", FRI, "2026-12-01"),
        ("2026-12-1", FRI, "2026-12-01"),
        ("2026年12月1日", FRI, "2026-12-01"),
        ("2026年12月1号", FRI, "2026-12-01"),
        ("2026年12月01日", FRI, "2026-12-01"),
        ("2026-11-20", FRI, "2026-11-20"),  # today is not past
        ("2027-01-05", D("2026-12-20"), "2027-01-05"),
        ("2028-02-29", FRI, "2028-02-29"),
    ],
)
def test_full_dates(text: str, today: date, expected: str) -> None:
    assert parse(text, today) == D(expected)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("12-01", FRI, "2026-12-01"),
        ("12/01", FRI, "2026-12-01"),
        ("12-1", FRI, "2026-12-01"),
        ("12月1日", FRI, "2026-12-01"),
        ("12月1号", FRI, "2026-12-01"),
        ("12月01日", SAT, "2026-12-01"),
        ("11-20", FRI, "2026-11-20"),  # today
        ("11-19", FRI, "2027-11-19"),  # yesterday -> next year
        ("11月19日", WED, "2026-11-19"),
        ("11月18号", WED, "2026-11-18"),
        ("11/17", WED, "2027-11-17"),
        # Year boundary: today Sun 2026-12-20.
        ("01-05", D("2026-12-20"), "2027-01-05"),
        ("1/5", D("2026-12-20"), "2027-01-05"),
        ("1月5日", D("2026-12-20"), "2027-01-05"),
        ("12-31", D("2026-12-20"), "2026-12-31"),
        ("12-20", D("2026-12-20"), "2026-12-20"),
        ("12-19", D("2026-12-20"), "2027-12-19"),
        # Feb 29 exists only in leap years: the next one.
        ("02-29", FRI, "2028-02-29"),
        ("2月29日", D("2028-01-10"), "2028-02-29"),
    ],
)
def test_month_day(text: str, today: date, expected: str) -> None:
    assert parse(text, today) == D(expected)


# --- normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  FRI  ", "2026-11-20"),
        ("Friday", "2026-11-20"),
        ("Next Friday", "2026-11-27"),
        ("NEXT   FRI", "2026-11-27"),
        ("\tnext\tfri\n", "2026-11-27"),
        ("TOMORROW", "2026-11-21"),
        ("Today", "2026-11-20"),
        ("+3D", "2026-11-23"),
        ("+2WD", "2026-11-24"),
        ("+2W", "2026-12-04"),
        (" 明天 ", "2026-11-21"),
        ("３天后", "2026-11-23"),  # full-width digit
        ("3 天后", "2026-11-23"),
        ("１２／０１", "2026-12-01"),
        ("2026 年 12 月 1 日", "2026-12-01"),
    ],
)
def test_case_and_whitespace(text: str, expected: str) -> None:
    assert parse(text, FRI) == D(expected)


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3pm",
        "3 pm",
        "9am",
        "15:00",
        "9:30",
        "T10:00",
        "2026-12-01T10:00",
        "2026-12-01 10:00",
        "tomorrow 3pm",
        "fri 9am",
        "next fri 15:00",
        "tomorrow noon",
        "tonight",
        "friday morning",
        "15点",
        "三点",
        "3点半",
        "下午",
        "上午",
        "中午",
        "明天下午3点",
        "明天 下午",
        "周五上午",
        "今晚",
        "12月1日 15:00",
        "3小时后",
        "+3h",
    ],
)
def test_time_of_day_is_refused(text: str) -> None:
    err = error(text)
    assert err.key == "date.has_time"
    assert err.params == {"value": text.strip()}


@pytest.mark.parametrize(
    ("text", "today", "iso"),
    [
        ("2026-11-19", FRI, "2026-11-19"),
        ("2026/11/19", FRI, "2026-11-19"),
        ("2025-12-31", FRI, "2025-12-31"),
        ("2026年1月1日", FRI, "2026-01-01"),
        ("2026-12-19", D("2026-12-20"), "2026-12-19"),
        ("yesterday", FRI, "2026-11-19"),
        ("昨天", FRI, "2026-11-19"),
        ("前天", FRI, "2026-11-18"),
    ],
)
def test_past_dates_are_refused(text: str, today: date, iso: str) -> None:
    err = error(text, today)
    assert err.key == "date.past"
    assert err.params == {"value": text, "date": iso}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11-19", "2026-11-19"), ("2020年2月29日", "2020-02-29"), ("fri", "2026-11-20")],
)
def test_allow_past(text: str, expected: str) -> None:
    assert parse(text, FRI, allow_past=True) == D(expected)


@pytest.mark.parametrize(
    "text",
    [
        "02-30",
        "2/30",
        "2月30日",
        "13-01",
        "00-10",
        "04-31",
        "2026-02-29",
        "2026-02-30",
        "2026-13-01",
        "2026年4月31日",
    ],
)
def test_nonexistent_dates(text: str) -> None:
    err = error(text)
    assert err.key == "date.nonexistent"
    assert err.params == {"value": text}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "next",
        "next week",
        "next today",
        "next next fri",
        "fri fri",
        "3d",
        "+3",
        "+3x",
        "+ 3d",
        "+-3d",
        "-3d",
        "+99999d",
        "3",
        "12",
        "2026-12",
        "2026-12-01-02",
        "12-01-2026",
        "周八",
        "下周",
        "周",
        "天后",
        "一百天后",
        "十十天后",
        "3天",
        "3天前",
        "fri明天",
        "monkey",
        "fr",
    ],
)
def test_invalid(text: str) -> None:
    err = error(text)
    assert err.key == "date.invalid"
    assert err.params == {"value": text.strip()}


def test_overflow_is_invalid_not_a_crash() -> None:
    assert error("+30d", D("9999-12-20")).key == "date.invalid"
    assert error("next mon", D("9999-12-31")).key == "date.invalid"


def test_datetime_today_is_accepted() -> None:
    assert parse("tomorrow", datetime(2026, 11, 20, 23, 59)) == D("2026-11-21")


def test_format_iso() -> None:
    assert format_iso(D("2027-01-05")) == "2027-01-05"


# --- is_date_start -------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "next",
        "Next",
        "fri",
        "friday",
        "THURS",
        "today",
        "tomorrow",
        "今天",
        "明天",
        "后天",
        "周五",
        "星期天",
        "礼拜一",
        "下周五",
        "下星期五",
        "+3d",
        "+2w",
        "+2wd",
        "2026-12-01",
        "2026/12/01",
        "2026年12月1日",
        "12-01",
        "12/01",
        "12月1日",
        "12月1号",
        "3天后",
        "三天后",
        "2周后",
        "2个工作日后",
        "2026-12-01T10:00",  # a date with a time: parse_due explains the problem
        "明天下午3点",
    ],
)
def test_is_date_start_true(token: str) -> None:
    assert is_date_start(token) is True


@pytest.mark.parametrize(
    "token",
    [
        "",
        "fix",
        "login",
        "the",
        "nextday",
        "monkey",
        "3",
        "+3",
        "A12",
        "P2/A12",
        "@bob",
        "15:00",
        "3pm",
        "下午",
        "项目",
        "完成",
        "1.2.3",
    ],
)
def test_is_date_start_false(token: str) -> None:
    assert is_date_start(token) is False


def test_month_day_near_date_max_is_invalid_not_a_crash() -> None:
    assert error("12-19", D("9999-12-20")).key == "date.invalid"
