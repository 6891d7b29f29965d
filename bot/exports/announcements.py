"""The `announcements` export: one row per recipient of every announcement of the project."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from storage import announcements, people

COLUMNS = ("id", "title", "sent", "confirm_by", "required", "recipient", "department",
           "confirmed_at")


@exporter("announcements")
def announcements_sheet(db: Session, request: ExportRequest) -> Sheet:
    project = request.project
    assert project is not None  # registered with needs_project
    zone = ZoneInfo(project.timezone)
    locale = request.locale
    found = announcements.of_project(db, project.id)
    recipients = announcements.recipients_of(db, [a.id for a in found])
    every = [r for a in found for r in recipients[a.id]]
    names = people.by_ids(db, (r.person_id for r in every))
    depts = people.departments_by_ids(db, (r.department_id for r in every))
    sheet = Sheet(
        title=text(locale, "export.announcements.sheet"),
        headers=[text(locale, f"export.announcements.{c}") for c in COLUMNS],
    )
    for announcement in found:
        required = text(locale, f"export.announcements.{'yes' if announcement.required else 'no'}")
        for row in recipients[announcement.id]:
            dept = depts.get(row.department_id) if row.department_id else None
            sheet.rows.append([
                f"N{announcement.seq}",
                announcement.title,
                announcement.sent_at.astimezone(zone).date(),
                announcement.confirm_by,
                required,
                names[row.person_id].display_name,
                dept.name if dept else None,
                row.confirmed_at.astimezone(zone) if row.confirmed_at else None,
            ])
    return sheet
