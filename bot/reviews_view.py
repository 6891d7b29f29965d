"""What review messages show, built in one place for the handlers, the job, digests and
exports: rows for reviews and slots, working days used, who hears of a late slot, stats,
and the decisions the project's decision log can read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock import Clock
from bot.digest_sections import DigestTarget, Sections
from bot.literal import Link
from bot.messages import Notice
from bot.notices import dm
from bot.views import number
from bot.workdays import WorkCalendar, calendar_for
from storage import people, projects, reviews
from storage.models import Department, Person, Project
from storage.names import name_key
from storage.reviews import Review, ReviewDecision, ReviewSlot

DECIDED = ("approved", "changes")
REVIEW_WORDS = ("review", "会签", "审核", "评审", "审批")


def ref(project: Project, review: Review) -> str:
    """`LA/R3`: names the review from anywhere (buttons, DMs to non-members)."""
    return f"{project.key}/R{review.seq}"


def local_day(at: datetime, project: Project) -> date:
    return at.astimezone(ZoneInfo(project.timezone)).date()


def deciders(slot: ReviewSlot) -> list[int]:
    return [p for p in (slot.reviewer_id, slot.delegate_id) if p is not None]


def slot_label(slot: ReviewSlot, depts: dict[int, Department], names: dict[int, Person]) -> str:
    if slot.department_id in depts:
        return depts[slot.department_id].name
    return names[slot.person_id].display_name if slot.person_id in names else "?"


def working_days_used(review: Review, slot: ReviewSlot, project: Project, today: date) -> int:
    """Working days from the round's opening day to the slot's decision (or today)."""
    calendar = calendar_for(project.calendar)
    if slot.state in DECIDED and slot.decided_at and slot.round == review.round:
        return slot.working_days or 0
    return calendar.working_days_after(review.round_opened_on, today)


def time_left(review: Review, calendar: WorkCalendar, today: date) -> dict[str, int]:
    """Working days left before the due date's end, or how many late."""
    if today > review.due_date:
        return {"left": 0, "late": calendar.working_days_after(review.due_date, today)}
    return {"left": calendar.working_days_after(today, review.due_date), "late": 0}


def slot_rows(
    db: Session, review: Review, slots: Sequence[ReviewSlot], project: Project, today: date
) -> list[dict[str, Any]]:
    depts = people.departments_by_ids(db, (s.department_id for s in slots))
    names = people.by_ids(
        db, [p for s in slots for p in (s.person_id, s.reviewer_id, s.delegate_id)]
    )
    return [
        {
            "label": slot_label(s, depts, names),
            "reviewer": names[s.reviewer_id].display_name,
            "delegate": names[s.delegate_id].display_name if s.delegate_id in names else None,
            "no_head": s.no_head,
            "state": s.state,
            "round": s.round,
            "comment": s.comment,
            "working_days": working_days_used(review, s, project, today),
            "decided_on": local_day(s.decided_at, project) if s.decided_at else None,
        }
        for s in slots
    ]


def review_row(
    project: Project, review: Review, slots: Sequence[ReviewSlot], today: date
) -> dict[str, Any]:
    calendar = calendar_for(project.calendar)
    return {
        "id": f"R{review.seq}",
        "ref": ref(project, review),
        "title": review.title,
        "link": Link(review.link) if review.link else None,  # the one kind of link shown
        "mode": review.mode,
        "state": review.state,
        "round": review.round,
        "within": review.within_days,
        "due": review.due_date,
        "approved": sum(s.state == "approved" for s in slots),
        "slots": len(slots),
        **time_left(review, calendar, today),
    }


def open_review_rows(db: Session, project: Project, today: date) -> list[dict[str, Any]]:
    """The digest's section: open reviews with time left or how late (one query)."""
    return [review_row(project, r, slots, today)
            for r, slots in reviews.with_slots(db, [project.id], [reviews.OPEN])]


def digest_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """`open_review_rows` for many projects, in one query per chunk of them."""
    by_project: dict[int, list[dict[str, Any]]] = {t.id: [] for t in targets}
    by_id = {t.id: t for t in targets}
    for review, slots in reviews.with_slots(db, list(by_id), [reviews.OPEN]):
        target = by_id[review.project_id]
        by_project[target.id].append(review_row(target.project, review, slots, target.today))
    return {pid: {"reviews": rows} for pid, rows in by_project.items()}


def late_recipients(
    deciders_of_slot: Sequence[Person], leads: Sequence[Person], days_late: int
) -> list[tuple[Person, str]]:
    """A slot late by `days_late` working days -> who is told, and as what.

    The ladder's first `owner` level (bot/jobs/escalations_reviews.py): the slot's
    reviewer (or delegate) and the project's leads and process owner.
    """
    if days_late < 1:
        return []
    told = [(person, "reviewer") for person in deciders_of_slot]
    seen = {p.id for p, _ in told}
    for person in leads:
        if person.id not in seen:
            seen.add(person.id)
            told.append((person, "lead"))
    return told


def request_notices(
    db: Session, project: Project, review: Review, slots: Sequence[ReviewSlot],
    requester: Person, today: date, **extra: Any,
) -> list[Notice]:
    """The ask, one DM per slot's decider, keyed per slot, round and person."""
    rows = slot_rows(db, review, slots, project, today)
    names = people.by_ids(db, [p for s in slots for p in deciders(s)])
    notices = []
    for slot, row in zip(slots, rows, strict=True):
        for person_id in deciders(slot):
            if person_id not in names or (slot.delegate_id and person_id == slot.reviewer_id):
                continue  # a delegated slot is asked of its delegate
            key = f"review-ask:{slot.id}:{review.round}:{person_id}"
            data = {
                **review_row(project, review, slots, today),
                "project": project.key,
                "project_name": project.name,
                "requester": requester.display_name,
                "slot": row,
                **extra,
            }
            notices.append(dm(names[person_id], "review_request", project.locale, key, **data))
    return notices


def kpi_target(
    db: Session, project: Project, dept: str | None, depts: Sequence[str] = ()
) -> str | None:
    """The target of a KPI that names reviews: for a department, one naming it too; for
    the whole project, one naming none of `depts`."""
    for kpi in projects.kpis(db, project.id):
        name = kpi.name_key
        if not any(w in name for w in REVIEW_WORDS):
            continue
        if dept is not None and name_key(dept) in name:
            return number(kpi.target)
        if dept is None and not any(name_key(d) in name for d in depts):
            return number(kpi.target)
    return None


def _summary(days: list[int]) -> dict[str, Any]:
    return {
        "count": len(days),
        "average": round(sum(days) / len(days), 1) if days else None,
        "worst": max(days) if days else None,
    }


def stats(db: Session, project: Project, dept: Department | None) -> dict[str, Any]:
    """Working days per department and per round, from the recorded decisions."""
    rows = reviews.decisions(db, project.id, DECIDED)
    if dept is not None:
        rows = [(d, r) for d, r in rows if d.department_id == dept.id]
    depts = people.departments_by_ids(db, (d.department_id for d, _ in rows))
    by_dept: dict[str, list[int]] = {}
    by_round: dict[int, list[int]] = {}
    for decision, _ in rows:
        name = depts[decision.department_id].name if decision.department_id in depts else "-"
        by_dept.setdefault(name, []).append(decision.working_days or 0)
        by_round.setdefault(decision.round, []).append(decision.working_days or 0)
    closed = reviews.of_project(db, project.id, ["approved", "cancelled"])
    every = [d.working_days or 0 for d, _ in rows]
    return {
        "project": project.key,
        "dept": dept.name if dept else None,
        "approved": sum(r.state == "approved" for r in closed),
        "cancelled": sum(r.state == "cancelled" for r in closed),
        "overall": {**_summary(every), "target": kpi_target(db, project, None, list(by_dept))},
        "departments": [
            {"name": name, **_summary(days), "target": kpi_target(db, project, name)}
            for name, days in sorted(by_dept.items())
        ],
        "rounds": [{"round": n, **_summary(days)} for n, days in sorted(by_round.items())],
    }


def decision_log_entries(
    db: Session, project: Project, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Every review decision with its reason or comment, for the project's decision log."""
    rows = reviews.decisions(
        db, project.id, ("approved", "changes", "outcome", "cancelled"), since
    )
    names = people.by_ids(db, (d.actor_id for d, _ in rows))
    return [
        {
            "source": ref(project, review),
            "title": review.title,
            "round": decision.round,
            "kind": decision.kind,
            "at": decision.at,
            "by": names[decision.actor_id].display_name if decision.actor_id in names else None,
            "text": decision.text,
        }
        for decision, review in rows
    ]


def history_rows(
    db: Session, entries: Sequence[ReviewDecision], project: Project
) -> list[dict[str, Any]]:
    names = people.by_ids(db, (d.actor_id for d in entries))
    zone = ZoneInfo(project.timezone)
    return [
        {
            "at": d.at.astimezone(zone),
            "by": names[d.actor_id].display_name if d.actor_id in names else "-",
            "kind": d.kind,
            "round": d.round,
            "text": d.text,
            "working_days": d.working_days,
            # "opened" keeps "<mode> <N>wd"
            "mode": (d.text or "all").split()[0] if d.kind == "opened" else None,
            "within": (d.text or " 0").split()[-1].removesuffix("wd") if d.kind == "opened"
            else None,
        }
        for d in entries
    ]
