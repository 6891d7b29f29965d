"""The renotify cutoff is exactly "N working hours since the last notice": a record
notified at or before it is due, one notified after it is not."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.jobs.renotify import cutoff
from bot.workdays import calendar_for

ZONE = "Asia/Shanghai"


def hours_between(start: datetime, end: datetime, calendar_name: str) -> float:
    """Working hours (09:00-18:00 on working days) between two instants, counted hour by
    the minute: the definition the cutoff must agree with."""
    calendar, tz = calendar_for(calendar_name), ZoneInfo(ZONE)
    minutes, moment = 0, start.astimezone(tz).replace(second=0, microsecond=0)
    while moment < end:
        local = moment.astimezone(tz)
        if calendar.is_working(local.date()) and time(9) <= local.time() < time(18):
            minutes += 1
        moment += timedelta(minutes=1)
    return minutes / 60


@pytest.mark.parametrize("calendar_name", ["weekends", "cn"])
@pytest.mark.parametrize("hours", [1, 9, 27])
def test_due_exactly_when_enough_working_hours_passed(calendar_name: str, hours: int) -> None:
    rng = random.Random(hours)
    now = datetime(2026, 10, 9, 10, 30, tzinfo=ZoneInfo(ZONE))  # the day after 国庆 week
    moment = cutoff(now, ZONE, calendar_for(calendar_name), hours)
    assert moment is not None and moment.tzinfo is UTC
    assert hours_between(moment, now, calendar_name) == pytest.approx(hours)
    for _ in range(12):
        last = now - timedelta(minutes=rng.randint(1, 60 * 24 * 12))
        due = hours_between(last, now, calendar_name) >= hours
        assert (last <= moment) == due, (last, moment)


def test_nothing_is_due_outside_working_hours() -> None:
    weekends = calendar_for("weekends")
    evening = datetime(2026, 12, 2, 18, 0, tzinfo=ZoneInfo(ZONE))
    saturday = datetime.combine(date(2026, 12, 5), time(11), tzinfo=ZoneInfo(ZONE))
    assert cutoff(evening, ZONE, weekends, 1) is None
    assert cutoff(saturday, ZONE, weekends, 1) is None
    assert cutoff(evening - timedelta(minutes=1), ZONE, weekends, 1) is not None
