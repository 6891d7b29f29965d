"""Quiet hours: per person, no DMs in a daily window; a DM is held until it ends."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def _clock_time(hhmm: str) -> time:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return time(hour, minute)


def quiet_until(start: str | None, end: str | None, zone: str, now: datetime) -> datetime | None:
    """When the quiet window around `now` ends, or None when `now` is not in one.

    `start`/`end` are HH:MM in `zone`; a window may span midnight (22:00-08:00).
    """
    if not start or not end or start == end:
        return None
    local = now.astimezone(ZoneInfo(zone))
    begin, finish, at = _clock_time(start), _clock_time(end), local.time()
    if begin < finish:
        inside = begin <= at < finish
        end_day = local.date()
    else:
        inside = at >= begin or at < finish
        end_day = local.date() + timedelta(days=1) if at >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=ZoneInfo(zone)).astimezone(now.tzinfo)
