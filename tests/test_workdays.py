import logging
from datetime import date, timedelta

import chinese_calendar
import pytest

from bot.workdays import (
    CALENDARS,
    ChinaCalendar,
    WeekendsCalendar,
    WorkCalendar,
    calendar_for,
)

D = date.fromisoformat
WEEKENDS = WeekendsCalendar()
CN = ChinaCalendar()

# Weekend days that are working days in 2026 (调休), per chinesecalendar 1.11.
CN_2026_WORKING_WEEKENDS = {
    D("2026-01-04"),  # Sun, New Year
    D("2026-02-14"),  # Sat, Spring Festival
    D("2026-02-28"),  # Sat, Spring Festival
    D("2026-05-09"),  # Sat, Labour Day
    D("2026-09-20"),  # Sun, National Day
    D("2026-10-10"),  # Sat, National Day
}


def test_calendar_names() -> None:
    assert CALENDARS == ("cn", "weekends")
    assert isinstance(calendar_for("cn"), ChinaCalendar)
    assert isinstance(calendar_for("weekends"), WeekendsCalendar)
    assert calendar_for("cn").name == "cn"
    assert calendar_for("weekends").name == "weekends"


def test_calendar_for_caches_instances() -> None:
    assert calendar_for("cn") is calendar_for("cn")
    assert calendar_for("weekends") is calendar_for("weekends")


@pytest.mark.parametrize("name", ["us", "", "CN-x", "holidays"])
def test_calendar_for_rejects_unknown(name: str) -> None:
    with pytest.raises(ValueError):
        calendar_for(name)


# --- WeekendsCalendar ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-11-16", True),  # Mon
        ("2026-11-17", True),
        ("2026-11-18", True),
        ("2026-11-19", True),
        ("2026-11-20", True),  # Fri
        ("2026-11-21", False),  # Sat
        ("2026-11-22", False),  # Sun
        ("2026-10-01", True),  # a PRC holiday, but a plain Thursday here
    ],
)
def test_weekends_is_working(day: str, working: bool) -> None:
    assert WEEKENDS.is_working(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-11-20", 0, "2026-11-20"),  # Fri, n=0 is start itself
        ("2026-11-21", 0, "2026-11-21"),  # even when start is not working
        ("2026-11-20", 1, "2026-11-23"),  # Fri -> Mon
        ("2026-11-20", 5, "2026-11-27"),
        ("2026-11-21", 1, "2026-11-23"),  # Sat -> Mon
        ("2026-11-22", 2, "2026-11-24"),  # Sun -> Tue
        ("2026-11-18", 2, "2026-11-20"),  # Wed -> Fri
        ("2026-11-18", 3, "2026-11-23"),  # Wed -> Mon
        ("2026-12-31", 1, "2027-01-01"),  # year boundary, Thu -> Fri
    ],
)
def test_weekends_add_working_days(start: str, n: int, expected: str) -> None:
    assert WEEKENDS.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-20", "2026-11-20"),
        ("2026-11-21", "2026-11-23"),
        ("2026-11-22", "2026-11-23"),
        ("2026-11-23", "2026-11-23"),
    ],
)
def test_weekends_next_working_day(day: str, expected: str) -> None:
    assert WEEKENDS.next_working_day(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("due", "day", "expected"),
    [
        ("2026-11-20", "2026-11-20", 0),  # day == due
        ("2026-11-20", "2026-11-19", 0),  # day before due
        ("2026-11-20", "2026-11-21", 0),  # Fri due, Sat: no working day yet
        ("2026-11-20", "2026-11-22", 0),
        ("2026-11-20", "2026-11-23", 1),  # Mon is the first working day after
        ("2026-11-18", "2026-11-19", 1),
        ("2026-11-18", "2026-11-25", 5),  # Thu Fri Mon Tue Wed
        ("2026-11-21", "2026-11-23", 1),  # due on Sat
        ("2026-11-01", "2026-11-30", 21),
    ],
)
def test_weekends_working_days_after(due: str, day: str, expected: int) -> None:
    assert WEEKENDS.working_days_after(D(due), D(day)) == expected


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError):
        WEEKENDS.add_working_days(D("2026-11-20"), -1)


def test_calendar_without_working_days_does_not_hang() -> None:
    class Never(WorkCalendar):
        name = "never"

        def is_working(self, d: date) -> bool:
            return False

    with pytest.raises(ValueError):
        Never().next_working_day(D("2026-11-20"))
    with pytest.raises(ValueError):
        Never().add_working_days(D("2026-11-20"), 1)


# --- ChinaCalendar -------------------------------------------------------------------


@pytest.mark.parametrize("day", [D("2026-10-01") + timedelta(days=i) for i in range(7)])
def test_cn_national_day_is_not_working(day: date) -> None:
    assert CN.is_working(day) is False


@pytest.mark.parametrize(
    "day",
    [
        "2026-01-01",  # Thu, New Year
        "2026-01-02",  # Fri
        "2026-02-16",  # Mon, Spring Festival
        "2026-02-20",  # Fri
        "2026-02-23",  # Mon
        "2026-04-06",  # Mon, Qingming
        "2026-05-01",  # Fri, Labour Day
        "2026-05-05",  # Tue
        "2026-06-19",  # Fri, Dragon Boat
        "2026-09-25",  # Fri, Mid-Autumn
    ],
)
def test_cn_weekday_holidays_are_not_working(day: str) -> None:
    assert D(day).weekday() < 5
    assert CN.is_working(D(day)) is False


def test_cn_working_weekends_come_from_package_data() -> None:
    found = set()
    day = D("2026-01-01")
    while day.year == 2026:
        if day.weekday() >= 5 and chinese_calendar.is_workday(day):
            found.add(day)
        day += timedelta(days=1)
    assert found == CN_2026_WORKING_WEEKENDS


@pytest.mark.parametrize("day", sorted(CN_2026_WORKING_WEEKENDS))
def test_cn_adjusted_weekend_is_working(day: date) -> None:
    assert day.weekday() >= 5
    assert chinese_calendar.is_workday(day)
    assert CN.is_working(day) is True
    assert WEEKENDS.is_working(day) is False


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-11-20", True),  # ordinary Fri
        ("2026-11-21", False),  # ordinary Sat
        ("2026-10-08", True),  # first day back after National Day
        ("2026-10-11", False),  # Sun after the adjusted Sat
    ],
)
def test_cn_ordinary_days(day: str, working: bool) -> None:
    assert CN.is_working(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-09-30", 0, "2026-09-30"),
        ("2026-09-30", 1, "2026-10-08"),  # skips the whole Oct 1-7 holiday
        ("2026-09-30", 2, "2026-10-09"),
        ("2026-09-30", 3, "2026-10-10"),  # adjusted working Saturday
        ("2026-09-30", 4, "2026-10-12"),
        ("2026-09-18", 1, "2026-09-20"),  # Fri -> adjusted working Sunday
        ("2026-02-13", 1, "2026-02-14"),  # Fri -> adjusted working Saturday
        ("2026-02-13", 2, "2026-02-24"),  # then the Spring Festival break
        ("2026-12-31", 1, "2027-01-04"),  # 2027 from holidays.China: New Year's Day is off
    ],
)
def test_cn_add_working_days(start: str, n: int, expected: str) -> None:
    assert CN.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", "2026-10-08"),
        ("2026-10-10", "2026-10-10"),
        ("2026-10-11", "2026-10-12"),
        ("2027-01-01", "2027-01-04"),  # 2027 from holidays.China
        ("2027-01-02", "2027-01-04"),
    ],
)
def test_cn_next_working_day(day: str, expected: str) -> None:
    assert CN.next_working_day(D(day)) == D(expected)


@pytest.mark.parametrize(
    ("due", "day", "expected"),
    [
        ("2026-09-30", "2026-10-07", 0),  # all holiday
        ("2026-09-30", "2026-10-08", 1),
        ("2026-09-30", "2026-10-10", 3),  # Thu, Fri and the adjusted Sat
        ("2026-09-30", "2026-10-11", 3),
        ("2026-12-30", "2027-01-04", 2),  # Dec 31, then Mon Jan 4 (Jan 1 is off in 2027)
    ],
)
def test_cn_working_days_after(due: str, day: str, expected: int) -> None:
    assert CN.working_days_after(D(due), D(day)) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-01-04", True),  # Mon
        ("2027-01-02", False),  # Sat
        ("2027-01-03", False),  # Sun
        ("2030-06-12", True),  # Wed
        ("2030-06-05", False),  # Wed, Dragon Boat Festival per holidays.China
        ("2027-01-01", False),  # Fri, New Year's Day per holidays.China
        ("2003-12-31", True),  # before the data too: Wed
        ("2003-12-27", False),  # Sat
    ],
)
def test_cn_uses_holidays_package_outside_data(day: str, working: bool) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(day))
    assert ChinaCalendar().is_working(D(day)) is working


def test_cn_fallback_warns_once_per_year(caplog: pytest.LogCaptureFixture) -> None:
    cal = ChinaCalendar()
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        for i in range(10):
            cal.is_working(D("2027-03-01") + timedelta(days=i))
        cal.is_working(D("2026-03-02"))  # has data: no warning
        assert len(caplog.records) == 1
        cal.is_working(D("2028-03-01"))
        assert len(caplog.records) == 2
    assert "2027" in caplog.records[0].getMessage()
    assert "2028" in caplog.records[1].getMessage()


def _counted_day_by_day(calendar: WorkCalendar, due: date, day: date) -> int:
    return sum(calendar.is_working(due + timedelta(days=k)) for k in range(1, (day - due).days + 1))


@pytest.mark.parametrize("calendar", [WEEKENDS, CN], ids=["weekends", "cn"])
def test_working_days_after_counts_as_day_by_day_across_years(calendar: WorkCalendar) -> None:
    starts = [D("2025-12-30"), D("2026-01-01"), D("2026-09-29"), D("2026-12-31"), D("2027-02-05")]
    spans = [0, 1, 2, 6, 9, 40, 366, 800]
    for due in starts:
        for span in spans:
            day = due + timedelta(days=span)
            assert calendar.working_days_after(due, day) == _counted_day_by_day(
                calendar, due, day), (due, day)
            assert calendar.working_days_after(day, due) == 0


def test_working_days_after_follows_an_override_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import workdays
    from bot.holiday_data import DayInfo

    calendar = ChinaCalendar()
    due, day = D("2026-11-20"), D("2026-11-30")  # Friday to Monday a week later: 6
    assert calendar.working_days_after(due, day) == 6
    off = DayInfo(D("2026-11-25"), "holiday", "override", "Company day", "公司假日")
    monkeypatch.setattr(workdays._store, "current", workdays.Overrides(
        ("test", 1, 1), {off.day: off}, frozenset()))
    assert calendar.working_days_after(due, day) == 5
