"""Plain data for templates, built from rows in as few queries as possible."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.kpi_periods import is_stale, local_date
from bot.workdays import WorkCalendar, calendar_for
from storage import kpis, people, projects
from storage.items import ACTIVE
from storage.models import ActionItem, Kpi, Person, Project


def item_label(item: ActionItem, project_key: str | None = None) -> str:
    return f"{project_key}/A{item.seq}" if project_key else f"A{item.seq}"


def days_late(item: ActionItem, today: date, calendar: WorkCalendar | None = None) -> int:
    """Working days late (the one unit of lateness: lists, digests and alerts alike);
    an overdue item is at least 1 late even when only non-working days have passed."""
    if item.status not in ACTIVE or item.due_date >= today:
        return 0
    if calendar is None:
        return (today - item.due_date).days
    return max(1, calendar.working_days_after(item.due_date, today))


def item_row(
    item: ActionItem,
    owner: Person | None,
    today: date,
    project_key: str | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[str, Any]:
    return {
        "id": item_label(item, project_key),
        "title": item.title,
        "owner": owner.display_name if owner else "?",
        "due": item.due_date,
        "status": item.status,
        "late": days_late(item, today, calendar),
        "blocked_reason": item.blocked_reason,
        "slips": item.slips,
    }


def item_rows(
    db: Session,
    rows: Sequence[ActionItem],
    today_by_project: Mapping[int, date],
    keys: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Rows for a list; owners fetched in one query. `keys` prefixes ids across projects."""
    owners = people.by_ids(db, (i.owner_id for i in rows))
    calendars = projects.calendars(db, {i.project_id for i in rows})
    return [
        item_row(
            i,
            owners.get(i.owner_id),
            today_by_project[i.project_id],
            keys.get(i.project_id) if keys else None,
            calendar_for(calendars[i.project_id]) if i.project_id in calendars else None,
        )
        for i in rows
    ]


def number(value: float) -> str:
    return f"{value:g}"


def kpi_row(kpi: Kpi, latest: float | None) -> dict[str, Any]:
    """A KPI as baseline → latest → target, with the share of the way covered."""
    span = kpi.target - kpi.baseline
    progress = None
    if latest is not None and span:
        share = 100 * (latest - kpi.baseline) / span
        progress = round(share) if math.isfinite(share) else None
    return {
        "name": kpi.name,
        "baseline": number(kpi.baseline),
        "target": number(kpi.target),
        "latest": number(latest) if latest is not None else None,
        "unit": kpi.unit or "",
        "progress": progress,
    }


def kpi_rows(db: Session, project_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """Every KPI of a project with its latest value and that value's date, in one query;
    with `today`, whether a KPI on a cadence is stale (bot/kpi_periods.py)."""
    project = db.get(Project, project_id)
    return [kpi_row_on(kpi, value, cadence, project, today)
            for kpi, value, cadence in kpis.with_latest(db, [project_id])[project_id]]


def kpi_row_on(
    kpi: Kpi, value: Any, cadence: Any, project: Project | None, today: date | None
) -> dict[str, Any]:
    """`kpi_row` with the latest value's date and, with `today`, whether it is stale."""
    zone = project.timezone if project else "UTC"
    on = local_date(value.recorded_at, zone) if value else None
    row = kpi_row(kpi, value.value if value else None)
    row["date"] = on
    row["every"] = cadence.every if cadence else None
    row["stale"] = bool(
        cadence and today and project
        and is_stale(cadence, on, today, zone, calendar_for(project.calendar))
    )
    return row
