"""The `feedback` export: one row per report of the project's feedback log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from bot.feedback_view import items_by_id
from storage import feedback, people

COLUMNS = ("id", "text", "severity", "step", "state", "reporter", "reported_at", "triaged_by",
           "triaged_at", "note", "duplicate_of", "item", "item_due", "closed_at", "resolution")


@exporter("feedback")
def feedback_sheet(db: Session, request: ExportRequest) -> Sheet:
    project = request.project
    assert project is not None  # registered with needs_project
    zone = ZoneInfo(project.timezone)
    locale = request.locale
    found = sorted(feedback.listing(db, project.id)[0], key=lambda f: f.seq)
    names = people.by_ids(db, [p for f in found for p in (f.reporter_id, f.triaged_by) if p])
    linked = items_by_id(db, [f.item_id for f in found if f.item_id])
    originals = feedback.by_ids(db, [f.duplicate_of for f in found if f.duplicate_of])
    sheet = Sheet(
        title=text(locale, "export.feedback.sheet"),
        headers=[text(locale, f"export.feedback.{c}") for c in COLUMNS],
    )
    for f in found:
        item = linked.get(f.item_id) if f.item_id else None
        triager = names.get(f.triaged_by) if f.triaged_by else None
        original = originals.get(f.duplicate_of) if f.duplicate_of else None
        sheet.rows.append([
            f"F{f.seq}",
            f.text,
            text(locale, f"severity.{f.severity}"),
            f.step,
            text(locale, f"feedback_state.{f.state}"),
            names[f.reporter_id].display_name,
            f.created_at.astimezone(zone),
            triager.display_name if triager else None,
            f.triaged_at.astimezone(zone) if f.triaged_at else None,
            f.note,
            f"F{original.seq}" if original else None,
            f"A{item.seq}" if item else None,
            item.due_date if item else None,
            f.closed_at.astimezone(zone) if f.closed_at else None,
            f.resolution,
        ])
    return sheet
