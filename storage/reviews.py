"""Parallel reviews (会签/或签): the review, one slot per department or person, and the
append-only history of every decision, per round.

A slot's `reviewer_id` is who was asked (the department's head, the process owner when
the department has none, or the person named); `delegate_id` is who the head handed it
on to. Either of them decides it. `no_head` keeps why a department slot went to the
process owner. Decisions are never updated or deleted: they are the review's history
and what the project's decision log reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, or_, select

from storage.digest_sets import chunks
from storage.models import Project
from storage.prepared import ids_param, rows_in

MODES = ("all", "any")
OPEN = "open"
STATES = ("open", "approved", "changes", "cancelled")
SLOT_STATES = ("pending", "approved", "changes")


class Review(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_review_state_due", "state", "due_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    title: str = Field(max_length=200)
    link: str | None = Field(default=None, max_length=500)
    item_id: int | None = Field(default=None, foreign_key="actionitem.id")
    mode: str = Field(default="all", max_length=8)
    within_days: int
    opened_at: datetime
    round: int = 1
    round_opened_on: date  # the local day the current round was asked (its clock starts)
    due_date: date  # the end of the Nth working day after round_opened_on
    state: str = Field(default=OPEN, max_length=16)
    requester_id: int = Field(foreign_key="person.id")
    closed_at: datetime | None = None


class ReviewSlot(SQLModel, table=True):
    __table_args__ = (
        Index("ix_reviewslot_review", "review_id", "id"),
        Index("ix_reviewslot_reviewer", "reviewer_id"),
        Index("ix_reviewslot_delegate", "delegate_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    project_id: int = Field(foreign_key="project.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")  # a person slot
    reviewer_id: int = Field(foreign_key="person.id")
    delegate_id: int | None = Field(default=None, foreign_key="person.id")
    no_head: bool = False
    state: str = Field(default="pending", max_length=16)
    round: int = 1  # the round it was last asked in
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    comment: str | None = Field(default=None, max_length=1000)
    working_days: int | None = None  # used by the last decision, from its round's opening


class ReviewDecision(SQLModel, table=True):
    """Append-only: opened, approved, changes, delegated, resubmitted, cancelled, outcome."""

    __table_args__ = (
        Index("ix_reviewdecision_review", "review_id", "id"),
        Index("ix_reviewdecision_project_at", "project_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    project_id: int = Field(foreign_key="project.id")
    slot_id: int | None = Field(default=None, foreign_key="reviewslot.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    round: int
    kind: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime
    text: str | None = Field(default=None, max_length=1000)
    working_days: int | None = None


def add(db: Session, review: Review, slots: Iterable[ReviewSlot]) -> Review:
    db.add(review)
    db.flush()
    for slot in slots:
        slot.review_id, slot.project_id = review.id, review.project_id
        db.add(slot)
    db.flush()
    return review


def by_seq(db: Session, project_id: int, seq: int) -> Review | None:
    query = select(Review).where(Review.project_id == project_id, Review.seq == seq)
    return db.exec(query).first()


def slots_of(db: Session, review_ids: Sequence[int]) -> dict[int, list[ReviewSlot]]:
    found: dict[int, list[ReviewSlot]] = {rid: [] for rid in review_ids}
    for slot in rows_in(db, ReviewSlot, "review_id", review_ids):
        found[slot.review_id].append(slot)
    return found


def decide(db: Session, decision: ReviewDecision) -> None:
    db.add(decision)
    db.flush()


def history(db: Session, review_id: int) -> Sequence[ReviewDecision]:
    query = select(ReviewDecision).where(ReviewDecision.review_id == review_id)
    return db.exec(query.order_by(ReviewDecision.id)).all()


def decisions(
    db: Session, project_id: int, kinds: Sequence[str], since: datetime | None = None
) -> Sequence[tuple[ReviewDecision, Review]]:
    """A project's recorded decisions of `kinds`, oldest first (stats, decision log)."""
    query = (
        select(ReviewDecision, Review)
        .join(Review, col(Review.id) == col(ReviewDecision.review_id))
        .where(ReviewDecision.project_id == project_id, col(ReviewDecision.kind).in_(kinds))
    )
    if since is not None:
        query = query.where(col(ReviewDecision.at) > since)
    return db.exec(query.order_by(ReviewDecision.id)).all()


WithSlots = tuple[Review, list[ReviewSlot]]


@cache  # built once per shape (storage/prepared.py)
def _with_slots(by_state: bool) -> Any:
    where = [col(Review.project_id).in_(ids_param())]
    if by_state:
        where.append(col(Review.state).in_(ids_param("states")))
    return (
        select(Review, ReviewSlot)
        .outerjoin(ReviewSlot, col(ReviewSlot.review_id) == col(Review.id))
        .where(*where)
        .order_by(Review.project_id, Review.seq, ReviewSlot.id)
    )


def with_slots(db: Session, project_ids: Iterable[int], states: Sequence[str] | None = None
               ) -> list[WithSlots]:
    """The projects' reviews (in `states`, if given) by project and number, each with its
    slots; one statement for up to CHUNK projects."""
    found: dict[int, WithSlots] = {}
    for chunk in chunks(list(project_ids)):
        params: dict[str, Any] = {"ids": chunk}
        if states:
            params["states"] = list(states)
        for review, slot in db.exec(_with_slots(bool(states)), params=params).all():
            entry = found.setdefault(review.id, (review, []))
            if slot is not None:
                entry[1].append(slot)
    return list(found.values())


def of_project(db: Session, project_id: int, states: Sequence[str] | None) -> Sequence[Review]:
    query = select(Review).where(Review.project_id == project_id)
    if states:
        query = query.where(col(Review.state).in_(states))
    return db.exec(query.order_by(Review.seq)).all()


def asked_of(db: Session, project_id: int, person_id: int) -> Sequence[Review]:
    """Open reviews with a pending slot this person decides (as reviewer or delegate)."""
    query = (
        select(Review)
        .join(ReviewSlot, col(ReviewSlot.review_id) == col(Review.id))
        .where(
            Review.project_id == project_id,
            Review.state == OPEN,
            ReviewSlot.state == "pending",
            or_(ReviewSlot.reviewer_id == person_id, ReviewSlot.delegate_id == person_id),
        )
        .distinct()
    )
    return db.exec(query.order_by(Review.seq)).all()


def projects_sent(db: Session, person_id: int, seq: int) -> Sequence[int]:
    """Projects where review R<seq> has a slot this person reviews or was delegated."""
    query = (
        select(Review.project_id)
        .join(ReviewSlot, col(ReviewSlot.review_id) == col(Review.id))
        .where(
            Review.seq == seq,
            or_(ReviewSlot.reviewer_id == person_id, ReviewSlot.delegate_id == person_id),
        )
        .distinct()
    )
    return db.exec(query).all()


def pending_due_between(
    db: Session, timezone: str, calendar: str, after: date | None, until: date,
    project_ids: Sequence[int] | None = None,
) -> Sequence[tuple[ReviewSlot, Review]]:
    """Pending slots of open reviews due in (after, until], of one timezone/calendar group
    (of its projects `project_ids` only, when given)."""
    query = (
        select(ReviewSlot, Review)
        .join(Review, col(Review.id) == col(ReviewSlot.review_id))
        .join(Project, col(Project.id) == col(Review.project_id))
        .where(
            Review.state == OPEN,
            ReviewSlot.state == "pending",
            col(Review.due_date) <= until,
            Project.timezone == timezone,
            Project.calendar == calendar,
        )
    )
    if after is not None:
        query = query.where(col(Review.due_date) > after)
    if project_ids is not None:
        query = query.where(col(Review.project_id).in_(project_ids))
    return db.exec(query.order_by(Review.project_id, Review.seq, ReviewSlot.id)).all()


def pending_slots_by_ids(
    db: Session, ids: Sequence[int]
) -> Sequence[tuple[ReviewSlot, Review]]:
    """The slots among `ids` still pending in an open review (the late slots of ladder
    records whose ETA lapsed)."""
    if not ids:
        return []
    query = (
        select(ReviewSlot, Review)
        .join(Review, col(Review.id) == col(ReviewSlot.review_id))
        .where(col(ReviewSlot.id).in_(set(ids)), Review.state == OPEN,
               ReviewSlot.state == "pending")
    )
    return db.exec(query.order_by(ReviewSlot.id)).all()


def slots_with_reviews(db: Session, ids: Sequence[int]) -> Sequence[tuple[ReviewSlot, Review]]:
    if not ids:
        return []
    query = select(ReviewSlot, Review).join(Review, col(Review.id) == col(ReviewSlot.review_id))
    return db.exec(query.where(col(ReviewSlot.id).in_(set(ids)))).all()


def projects_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Project]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in db.exec(select(Project).where(col(Project.id).in_(wanted))).all()}
