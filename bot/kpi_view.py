"""What KPI messages show: a cadence being set, a KPI's history page, and the asks the
job sends. Handlers (bot/handlers/kpis.py) and the job (bot/jobs/kpis.py) both read it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from bot.kpi_periods import Period, counts_from, local_date, recent_periods
from bot.messages import Label
from bot.views import kpi_row, number
from bot.workdays import calendar_for
from storage import kpis, people
from storage.kpis import KpiCadence
from storage.models import Kpi, KpiValue, Person, Project

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def next_ask(cadence: KpiCadence, project: Project, today: date) -> Period:
    """The first period whose ask is still to come (today's counts when not yet asked)."""
    calendar = calendar_for(project.calendar)
    start = counts_from(cadence.set_at, project.timezone)
    day = today
    for _ in range(3):
        for period in recent_periods(cadence.every, cadence.day, day, calendar):
            if period.ask >= max(start, today):
                return period
        day = recent_periods(cadence.every, cadence.day, day, calendar)[1].end
    raise ValueError("no ask within three periods")  # pragma: no cover


def cadence_data(
    db: Session, cadence: KpiCadence, kpi: Kpi, project: Project, today: date
) -> dict[str, Any]:
    owner = db.get(Person, cadence.owner_id)
    return {
        "name": kpi.name,
        "owner": owner.display_name if owner else "?",
        "when": when_label(cadence),
        "ask": next_ask(cadence, project, today).ask,
    }


def when_label(cadence: KpiCadence) -> dict[str, Any]:
    """`every week on Monday` / `every month on day 15`: its parts, for the templates."""
    weekday = Label("weekday", WEEKDAYS[cadence.day]) if cadence.every == "week" else None
    return {"every": cadence.every, "weekday": weekday, "day": cadence.day}


def trend(kpi: Kpi, value: float, older: float | None) -> dict[str, Any]:
    """A value against the baseline and target, and its move since the value before it."""
    row = kpi_row(kpi, value)
    change = value - kpi.baseline
    arrow = "→" if older is None or value == older else ("↑" if value > older else "↓")
    return {
        "value": number(value),
        "change": ("+" if change > 0 else "") + number(change),
        "progress": row["progress"],
        "arrow": arrow,
    }


def history_rows(
    kpi: Kpi, found: list[tuple[KpiValue, Person | None]], older: KpiValue | None, zone: str
) -> list[dict[str, Any]]:
    """A page of values, newest first; `older` is the value just after the page."""
    rows = []
    for index, (value, by) in enumerate(found):
        before = found[index + 1][0] if index + 1 < len(found) else older
        rows.append({
            **trend(kpi, value.value, before.value if before else None),
            "date": local_date(value.recorded_at, zone),
            "by": by.display_name if by else "?",
        })
    return rows


def history_data(
    db: Session, kpi: Kpi, project: Project, today: date, page: int, limit: int
) -> dict[str, Any]:
    offset = (page - 1) * limit
    found, total = kpis.history(db, kpi.id, offset, limit + 1)
    shown = [tuple(r) for r in found[:limit]]
    older = found[limit][0] if len(found) > limit else None
    cadence = kpis.cadence_of(db, kpi.id)
    owner = people.by_ids(db, [cadence.owner_id]).get(cadence.owner_id) if cadence else None
    return {
        "name": kpi.name,
        "project": project.key,
        "baseline": number(kpi.baseline),
        "target": number(kpi.target),
        "unit": kpi.unit or "",
        "when": when_label(cadence) if cadence else None,
        "owner": owner.display_name if owner else None,
        "rows": history_rows(kpi, shown, older, project.timezone),  # type: ignore[arg-type]
        "total": total,
        "more": max(0, total - offset - len(shown)),
        "next_page": page + 1,
    }


def ask_data(kpi: Kpi, project: Project, period: Period, kind: str) -> dict[str, Any]:
    """The owner's ask (`first`, `second`) or the process owner's stale notice."""
    return {
        "kind": kind,
        "name": kpi.name,
        "ref": f"{project.key}/{kpi.name}",
        "project": project.key,
        "project_name": project.name,
        "unit": kpi.unit or "",
        "period": period.key,
        "every": "week" if "W" in period.key else "month",
        "year": period.start.year,
        "month": period.start.month,
        "since": period.start,
        "baseline": number(kpi.baseline),
        "target": number(kpi.target),
    }
