"""Escalation data for templates: list rows, one record's history, the digest section.

Imported by the escalation commands, `status`/`action show`, the digest and the jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import quiz_escalations
from bot.clock import Clock
from bot.digest_sections import DigestTarget, Sections
from bot.ladder import REVIEW_SLOT
from bot.messages import Label
from bot.reviews_view import slot_label
from bot.workdays import calendar_for
from storage import digest_sets, escalations, people, reviews
from storage.escalations import Escalation
from storage.models import ActionItem, Department, Person, Project
from storage.prepared import by_ids
from storage.reviews import Review, ReviewSlot

SECTION_LIMIT = 10
SYSTEM_RESOLUTIONS = ("done", "cancelled", "reopened", "due-moved", "all-passed", "approved",
                      "changes", "review-cancelled")


def _resolution(record: Escalation) -> Any:
    if record.resolution and record.resolved_by is None and record.resolution in (
        SYSTEM_RESOLUTIONS
    ):
        return Label("esc_resolution", record.resolution)
    return record.resolution


def rows(db: Session, records: Sequence[Escalation], project: Project, today: date,
         keys: bool = False) -> list[dict[str, Any]]:
    """One line per record: id, level, state, age in working days, subject, reason, ETA."""
    found = lookups(db, records)
    return [row(record, found, project, today, keys) for record in records]


def lookups(db: Session, records: Sequence[Escalation]) -> dict[str, Any]:
    """What the rows of `records` name (items, review slots, people, quizzes), of any
    number of projects, in five queries at most: one a kind of row."""
    slots = reviews.slots_with_reviews(db, _slot_ids(records))
    quizzes = quiz_escalations.assignments_of(db, records)
    depts = people.departments_by_ids(db, [s.department_id for s, _ in slots] + [
        r.target_dept_id for r in quiz_escalations.quiz_records(records)])
    names = people.by_ids(db, [*_slot_people(slots), *(r.ack_by for r in records)])
    return {
        "items": {i.id: i for i in items_of(db, records)},
        "slots": _slot_rows(slots, depts, names),
        "names": names,
        "quizzes": quiz_escalations.subjects(records, quizzes, depts),
    }


def row(record: Escalation, found: dict[str, Any], project: Project, today: date,
        keys: bool = False) -> dict[str, Any]:
    calendar = calendar_for(project.calendar)
    item = found["items"].get(record.item_id) if record.item_id else None
    review = (found["slots"].get(record.subject_id or 0)
              if record.subject_kind == REVIEW_SLOT else None)
    names = found["names"]
    created = record.created_at.astimezone(ZoneInfo(project.timezone)).date()
    return {
        "id": f"{project.key}/E{record.seq}" if keys else f"E{record.seq}",
        "level": Label("esc_level", record.level),
        "state": Label("esc_state", record.state),
        "age": calendar.working_days_after(created, today) if record.state != "resolved" else 0,
        "item": f"A{item.seq} {item.title}" if item else None,
        "review": review,
        "due": record.due_date,
        "reason": record.reason if record.raised_by else None,
        "overdue": record.raised_by is None and (item or review) is not None,
        "eta": record.eta if record.state == "acknowledged" else None,
        "ack_by": names[record.ack_by].display_name if record.ack_by in names else None,
        "resolution": _resolution(record),
        "quiz": found["quizzes"].get(record.id or 0),
    }


def items_of(db: Session, records: Sequence[Escalation]) -> list[ActionItem]:
    return by_ids(db, ActionItem, (r.item_id for r in records))


def review_slots_of(db: Session, records: Sequence[Escalation]) -> dict[int, dict[str, Any]]:
    """What names a late review slot's record: the review and the slot, by slot id."""
    slots = reviews.slots_with_reviews(db, _slot_ids(records))
    depts = people.departments_by_ids(db, (s.department_id for s, _ in slots))
    return _slot_rows(slots, depts, people.by_ids(db, _slot_people(slots)))


def _slot_ids(records: Sequence[Escalation]) -> list[int]:
    return [r.subject_id for r in records if r.subject_kind == REVIEW_SLOT and r.subject_id]


def _slot_people(slots: Sequence[tuple[ReviewSlot, Review]]) -> list[int | None]:
    return [p for s, _ in slots for p in (s.person_id, s.reviewer_id, s.delegate_id)]


def _slot_rows(slots: Sequence[tuple[ReviewSlot, Review]], depts: dict[int, Department],
               names: dict[int, Person]) -> dict[int, dict[str, Any]]:
    return {
        slot.id: {"id": f"R{review.seq}", "title": review.title, "due": review.due_date,
                  "slot": slot_label(slot, depts, names),
                  "reviewer": names[slot.delegate_id or slot.reviewer_id].display_name
                  if (slot.delegate_id or slot.reviewer_id) in names else "-"}
        for slot, review in slots
    }


def section(db: Session, clock: Clock, project: Project) -> dict[str, Any]:
    """The digest's and status's "Escalations" section: open records, oldest first."""
    target = DigestTarget(project, clock.today(project.timezone))
    return digest_section(db, clock, [target])[target.id]


def digest_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """`section` for many projects: the records in one query, what they name in a few."""
    found = digest_sets.open_escalations(db, [t.id for t in targets], SECTION_LIMIT)
    named = lookups(db, [r for records, _ in found.values() for r in records])
    out: Sections = {}
    for target in targets:
        records, total = found.get(target.id, ([], 0))
        shown = [row(r, named, target.project, target.today) for r in records]
        out[target.id] = {"escalations": shown, "n_escalations": total}
    return out


def of_item(db: Session, project: Project, item: ActionItem, today: date) -> list[dict[str, Any]]:
    """The item's open escalations (for `action show`)."""
    return rows(db, escalations.open_for_items(db, [item.id]), project, today)


def history(db: Session, record: Escalation, project: Project) -> list[dict[str, Any]]:
    """`escalation show`: each event with who it reached, in the project's time."""
    events = escalations.events_of(db, record.id)
    names = people.by_ids(db, [e.person_id or e.actor_id for e in events])
    zone = ZoneInfo(project.timezone)
    lines: list[dict[str, Any]] = []
    for event in events:
        at = event.at.astimezone(zone).strftime("%m-%d %H:%M")
        who = names.get(event.person_id or event.actor_id or 0)
        if event.kind == "notified" and lines and lines[-1]["kind"] == "notified" and (
            lines[-1]["at"] == at and lines[-1]["level"] == Label("esc_level", event.level or "")
        ):
            lines[-1]["people"].append(who.display_name if who else "?")
            continue
        lines.append({
            "at": at,
            "kind": event.kind,
            "level": Label("esc_level", event.level or ""),
            "people": [who.display_name] if who else [],
            "note": _note(event.kind, event.note),
        })
    return lines


def _note(kind: str, note: str | None) -> Any:
    if kind in ("level", "raised") and note in ("level", "overdue", None):
        return None
    if kind == "level" and note == "lapsed":
        return Label("esc_text.event", "lapsed")
    if note and kind == "notified":
        return Label("esc_why", note)
    if note and kind == "resolved" and note in SYSTEM_RESOLUTIONS:
        return Label("esc_resolution", note)
    return note


def item_by_id(db: Session, item_id: int | None) -> ActionItem | None:
    return db.get(ActionItem, item_id) if item_id else None

