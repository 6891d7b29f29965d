"""The time rules as pure functions: alert days, reminder cut-offs, digest periods, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.jobs.periods import (
    alert_day,
    latest_fire,
    morning_day,
    next_fire,
    overdue_cutoff,
    period_key,
    remind_before_cutoff,
)
from bot.outbox.quiet import quiet_until
from bot.workdays import calendar_for

CN = calendar_for("cn")
WEEKENDS = calendar_for("weekends")
SHANGHAI = "Asia/Shanghai"
ONE = timedelta(days=1)


def test_overdue_alert_day_skips_the_national_day_holiday() -> None:
    # 2026-10-01..07 are PRC holidays; Saturday 10-10 is an adjusted working day
    assert alert_day(CN, date(2026, 9, 30)) == date(2026, 10, 8)
    assert alert_day(CN, date(2026, 10, 9)) == date(2026, 10, 10)
    assert alert_day(WEEKENDS, date(2026, 10, 9)) == date(2026, 10, 12)


def test_cutoffs_agree_with_the_alert_day_for_every_date() -> None:
    """The latest due date alerted by day D is the last whose alert day is <= D; likewise
    the reminder cut-off is the last due date whose previous working day is <= D."""
    for calendar in (CN, WEEKENDS):
        for offset in range(120):
            day = date(2026, 9, 1) + timedelta(days=offset)
            cut = overdue_cutoff(calendar, day)
            assert alert_day(calendar, cut) <= day < alert_day(calendar, cut + ONE)
            due = remind_before_cutoff(calendar, day)
            assert previous_working_day(calendar, due) <= day
            assert previous_working_day(calendar, due + ONE) > day


def previous_working_day(calendar, due: date) -> date:  # noqa: ANN001
    day = due - ONE
    while not calendar.is_working(day):
        day -= ONE
    return day


def test_morning_day_turns_at_nine() -> None:
    assert morning_day(datetime(2026, 11, 20, 8, 59)) == date(2026, 11, 19)
    assert morning_day(datetime(2026, 11, 20, 9, 0)) == date(2026, 11, 20)


def test_weekly_and_daily_digest_times() -> None:
    friday_5pm = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    after = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    assert next_fire("weekly", 4, "17:00", SHANGHAI, CN, after) == friday_5pm
    assert next_fire("weekly", 4, "17:00", SHANGHAI, CN, friday_5pm).day == 27
    later = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)
    assert latest_fire("weekly", 4, "17:00", SHANGHAI, CN, later).date() == date(2026, 12, 4)
    assert period_key("weekly", friday_5pm, SHANGHAI) == "2026-W47"
    # daily digests skip non-working days: from the eve of National Day to 10-08
    eve = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    assert next_fire("daily", None, "09:30", SHANGHAI, CN, eve).date() == date(2026, 10, 8)
    assert period_key("daily", eve, SHANGHAI) == "2026-09-30"


def test_quiet_hours_across_midnight() -> None:
    late = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert quiet_until("22:00", "07:30", SHANGHAI, late) == datetime(
        2026, 11, 20, 23, 30, tzinfo=UTC
    )
    early = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 06:00 next day in Shanghai
    assert quiet_until("22:00", "07:30", SHANGHAI, early) == datetime(
        2026, 11, 20, 23, 30, tzinfo=UTC
    )
    day = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00
    assert quiet_until("22:00", "07:30", SHANGHAI, day) is None
    assert quiet_until("12:00", "13:00", SHANGHAI, day) == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert quiet_until(None, None, SHANGHAI, day) is None
