"""The `reviews` export: one row per slot of every review of the project."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from bot.reviews_view import slot_label
from storage import people, reviews

COLUMNS = ("id", "title", "mode", "state", "round", "opened_at", "due", "requester", "slot",
           "reviewer", "delegate", "slot_state", "decided_at", "working_days", "comment")


@exporter("reviews")
def reviews_sheet(db: Session, request: ExportRequest) -> Sheet:
    project = request.project
    assert project is not None  # registered with needs_project
    zone = ZoneInfo(project.timezone)
    locale = request.locale
    found = reviews.of_project(db, project.id, None)
    slots = reviews.slots_of(db, [r.id for r in found])
    every = [s for r in found for s in slots[r.id]]
    names = people.by_ids(db, [
        p for r in found for p in (r.requester_id, *(
            x for s in slots[r.id] for x in (s.person_id, s.reviewer_id, s.delegate_id)))
    ])
    depts = people.departments_by_ids(db, (s.department_id for s in every))
    sheet = Sheet(
        title=text(locale, "export.reviews.sheet"),
        headers=[text(locale, f"export.reviews.{c}") for c in COLUMNS],
    )
    for review in found:
        for slot in slots[review.id]:
            delegate = names.get(slot.delegate_id) if slot.delegate_id else None
            sheet.rows.append([
                f"R{review.seq}",
                review.title,
                text(locale, f"review_mode.{review.mode}"),
                text(locale, f"review_state.{review.state}"),
                review.round,
                review.opened_at.astimezone(zone),
                review.due_date,
                names[review.requester_id].display_name,
                slot_label(slot, depts, names),
                names[slot.reviewer_id].display_name,
                delegate.display_name if delegate else None,
                text(locale, f"review_slot.{slot.state}"),
                slot.decided_at.astimezone(zone) if slot.decided_at else None,
                slot.working_days,
                slot.comment,
            ])
    return sheet
