"""The `cn` calendar past chinesecalendar's data: holidays.China for 2027 on, provisional years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest

from bot.calendar_view import year_data
from bot.workdays import ChinaCalendar, WeekendsCalendar, calendar_for, reset_overrides

D = date.fromisoformat
CN = calendar_for("cn")
WEEKENDS = calendar_for("weekends")


@pytest.fixture(autouse=True)
def _no_overrides() -> None:
    reset_overrides()


# --- what the packages say (verified before relying on them) ----------------------------


def test_chinesecalendar_stops_at_2026() -> None:
    assert chinese_calendar.is_workday(D("2026-12-31"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D("2027-01-01"))


def test_holidays_package_knows_2027_statutory_holidays_but_no_2027_workdays() -> None:
    major, minor = (int(part) for part in holidays.__version__.split(".")[:2])
    assert (major, minor) >= (0, 108)
    china = holidays.China(years=2027, language="zh_CN")
    assert china.get(D("2027-01-01")) == "元旦"
    assert china.get(D("2027-02-08")) == "春节"
    assert china.get(D("2027-10-01")) == "国庆节"
    assert not [d for d in china.weekend_workdays if d.year == 2027]
    # for 2026 it does know the 调休 Saturdays (the same ones chinesecalendar has)
    known_2026 = {d for d in holidays.China(years=2026).weekend_workdays if d.year == 2026}
    assert D("2026-10-10") in known_2026 and D("2026-02-14") in known_2026


# --- 2026: chinesecalendar ------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-10-10"])
def test_2026_adjusted_working_weekend_counts_under_cn_not_weekends(day: str) -> None:
    d = D(day)
    assert d.weekday() >= 5
    assert CN.working_days_after(d - timedelta(days=1), d) == 1
    assert WEEKENDS.working_days_after(d - timedelta(days=1), d) == 0


def test_spring_festival_2026_working_day_counts() -> None:
    # due Fri 02-13: the working Saturday 02-14, then nothing until Tue 02-24
    assert CN.working_days_after(D("2026-02-13"), D("2026-02-23")) == 1
    assert CN.working_days_after(D("2026-02-13"), D("2026-02-25")) == 3
    assert WEEKENDS.working_days_after(D("2026-02-13"), D("2026-02-25")) == 8
    assert CN.add_working_days(D("2026-02-13"), 2) == D("2026-02-24")
    assert CN.next_working_day(D("2026-02-15")) == D("2026-02-24")


def test_national_day_2026_working_day_counts() -> None:
    # due Wed 09-30: Oct 1-7 off, then Thu 8, Fri 9, the working Saturday 10, Mon 12
    assert CN.working_days_after(D("2026-09-30"), D("2026-10-07")) == 0
    assert CN.working_days_after(D("2026-09-30"), D("2026-10-12")) == 4
    assert WEEKENDS.working_days_after(D("2026-09-30"), D("2026-10-12")) == 8
    assert CN.holiday_name(D("2026-10-01"), "zh-CN") == "国庆节"
    assert CN.holiday_name(D("2026-10-01"), "en") == "National Day"
    assert CN.holiday_name(D("2026-10-10"), "en") is None  # a working day, not a holiday


# --- 2027 and later: holidays.China, provisional ----------------------------------------


def test_new_years_day_2027_is_not_a_working_day() -> None:
    assert CN.is_working(D("2027-01-01")) is False
    assert WEEKENDS.is_working(D("2027-01-01")) is True
    assert CN.next_working_day(D("2026-12-31") + timedelta(days=1)) == D("2027-01-04")
    assert CN.holiday_name(D("2027-01-01"), "zh-CN") == "元旦"
    assert CN.holiday_name(D("2027-01-01"), "en") == "New Year's Day"


def test_spring_festival_2027_is_off() -> None:
    for day in ("2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"):
        assert D(day).weekday() < 5
        assert CN.is_working(D(day)) is False, day
    assert CN.is_working(D("2027-02-11")) is True
    assert CN.working_days_after(D("2027-02-04"), D("2027-02-12")) == 2
    assert WEEKENDS.working_days_after(D("2027-02-04"), D("2027-02-12")) == 6
    assert CN.holiday_name(D("2027-02-08"), "zh-CN") == "春节"
    assert "Spring Festival" in (CN.holiday_name(D("2027-02-08"), "en") or "")


@pytest.mark.parametrize("year", [2027, 2028, 2030, 2045, 2100])
def test_later_years_never_crash(year: int) -> None:
    day = date(year, 1, 1)
    while day.year == year:
        CN.is_working(day)
        CN.holiday_name(day, "zh-CN")
        day += timedelta(days=1)
    start = date(year, 9, 28)
    assert CN.add_working_days(start, 10) > start
    assert CN.working_days_after(start, date(year, 10, 31)) > 10
    assert CN.is_working(date(year, 10, 1)) is False  # National Day, every year


def test_far_future_beyond_every_package_is_monday_to_friday() -> None:
    assert ChinaCalendar().is_working(D("2150-10-01")) is (D("2150-10-01").weekday() < 5)
    assert CN.add_working_days(D("2150-01-01"), 5) > D("2150-01-01")


def test_provisional_years() -> None:
    assert CN.is_provisional(2026) is False  # chinesecalendar has the official data
    assert CN.is_provisional(2027) is True
    assert CN.is_provisional(2030) is True
    assert WEEKENDS.is_provisional(2027) is False
    assert isinstance(WEEKENDS, WeekendsCalendar)


def test_year_data_lists_names_and_sources() -> None:
    data = year_data(2027, "zh-CN")
    assert data["provisional"] is True
    names = {e["name"] for e in data["entries"]}
    assert {"元旦", "春节", "国庆节"} <= names
    assert {e["source"] for e in data["entries"]} == {"holidays"}
    spring = next(e for e in data["entries"] if e["name"] == "春节")
    assert (spring["start"], spring["end"], spring["days"]) == (D("2027-02-06"), D("2027-02-08"), 3)
    settled = year_data(2026, "en")
    assert settled["provisional"] is False
    assert settled["n_workdays"] == 6
    assert {e["source"] for e in settled["entries"]} == {"chinesecalendar"}
