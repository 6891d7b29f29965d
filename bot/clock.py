"""The one clock. Pinned by TASKFORCE_NOW, moved by tests and the demo's time travel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def as_utc(moment: datetime, default_tz: str = "UTC") -> datetime:
    """`moment` as an aware UTC datetime; a naive one is read in `default_tz`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(default_tz))
    return moment.astimezone(UTC)


class Clock:
    """Wall time unless pinned; a pinned clock stays where it is put."""

    def __init__(self, pinned: datetime | None = None, default_tz: str = "UTC") -> None:
        self._default_tz = default_tz
        self._pinned = as_utc(pinned, default_tz) if pinned else None

    @property
    def pinned(self) -> bool:
        return self._pinned is not None

    def now(self) -> datetime:
        return self._pinned or datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        self._pinned = as_utc(moment, self._default_tz)

    def advance(self, delta: timedelta) -> None:
        self._pinned = self.now() + delta

    def local(self, tz: str) -> datetime:
        return self.now().astimezone(ZoneInfo(tz))

    def today(self, tz: str) -> date:
        return self.local(tz).date()
