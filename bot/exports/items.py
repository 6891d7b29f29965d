"""The `items` export: every action item of the project, closed ones included."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from storage import people
from storage.models import ActionItem

COLUMNS = ("id", "title", "owner", "department", "status", "due", "original_due", "slips",
           "deliverable", "blocked_reason", "created_at", "done_at")


@exporter("items")
def items_sheet(db: Session, request: ExportRequest) -> Sheet:
    project = request.project
    assert project is not None  # registered with needs_project
    zone = ZoneInfo(project.timezone)
    rows = db.exec(
        select(ActionItem).where(ActionItem.project_id == project.id).order_by(ActionItem.seq)
    ).all()
    owners = people.by_ids(db, (i.owner_id for i in rows))
    departments = people.departments_by_ids(db, (p.department_id for p in owners.values()))
    sheet = Sheet(
        title=text(request.locale, "export.items.sheet"),
        headers=[text(request.locale, f"export.items.{c}") for c in COLUMNS],
    )
    for item in rows:
        owner = owners.get(item.owner_id)
        department = departments.get(owner.department_id) if owner and owner.department_id else None
        sheet.rows.append([
            f"A{item.seq}",
            item.title,
            owner.display_name if owner else None,
            department.name if department else None,
            text(request.locale, f"status.{item.status}"),
            item.due_date,
            item.original_due,
            item.slips,
            item.deliverable,
            item.blocked_reason,
            item.created_at.astimezone(zone),
            item.done_at.astimezone(zone) if item.done_at else None,
        ])
    return sheet
