"""What `calendar show` and the digests show of the working-day calendar (handlers and jobs)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.holiday_data import DayInfo
from bot.workdays import ChinaCalendar, calendar_for
from storage import jobruns
from storage.models import Project

# job-run claim: one provisional-year line per project and year, whichever digest comes first
PROVISIONAL_JOB = "calendar:provisional"


def cn_calendar() -> ChinaCalendar:
    """The shared `cn` calendar, typed as such."""
    found = calendar_for("cn")
    assert isinstance(found, ChinaCalendar)
    return found


def _runs(days: list[DayInfo], locale: str) -> list[dict[str, Any]]:
    """Consecutive days of one kind, name and source as one line each."""
    runs: list[dict[str, Any]] = []
    for info in days:
        name = info.name(locale)
        last = runs[-1] if runs else None
        if (
            last is not None
            and last["end"] + timedelta(days=1) == info.day
            and (last["kind"], last["name"], last["source"]) == (info.kind, name, info.source)
        ):
            last["end"] = info.day
            last["days"] += 1
            continue
        runs.append(
            {
                "start": info.day,
                "end": info.day,
                "days": 1,
                "kind": info.kind,
                "name": name,
                "source": info.source,
            }
        )
    return runs


def year_data(year: int, locale: str) -> dict[str, Any]:
    """The year's days off and 调休 working days under `cn`, grouped, with their sources."""
    cn = cn_calendar()
    days = cn.year_days(year)
    return {
        "year": year,
        "provisional": cn.is_provisional(year),
        "entries": _runs(days, locale),
        "n_holidays": sum(1 for d in days if d.kind == "holiday" and not cn.is_working(d.day)),
        "n_workdays": sum(1 for d in days if d.kind == "workday" and d.day.weekday() >= 5),
    }


def provisional_note(db: Session, project: Project, today: date, now: datetime) -> int | None:
    """The year to call provisional in this digest, once per project and year (under `cn`)."""
    if project.calendar != "cn" or not cn_calendar().is_provisional(today.year):
        return None
    claimed = jobruns.claim(db, PROVISIONAL_JOB, str(project.id), str(today.year), now)
    return today.year if claimed else None
