"""The pilot feedback log (问题记录表): what people report while a new process is piloted.

A report is triaged by a lead or the process owner: accepted, rejected, marked a
duplicate of another report, or acted on (an action item is created and linked through
`item_id`); accepted and acted reports are closed with a resolution. Every step is also
kept in the append-only history (entity "feedback").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, func, select

SEVERITIES = ("high", "medium", "low")
STATES = ("new", "accepted", "rejected", "duplicate", "acted", "closed")
OPEN_STATES = ("new", "accepted", "acted")  # not rejected, duplicate or closed


class Feedback(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_feedback_project_state", "project_id", "state", "severity"),
        Index("ix_feedback_project_created", "project_id", "created_at"),
        Index("ix_feedback_item", "item_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    text: str = Field(max_length=1000)
    severity: str = Field(default="medium", max_length=8)
    step: str | None = Field(default=None, max_length=200)  # the process step it concerns
    reporter_id: int = Field(foreign_key="person.id")
    created_at: datetime
    state: str = Field(default="new", max_length=16)
    note: str | None = Field(default=None, max_length=1000)  # the triage note or reason
    triaged_by: int | None = Field(default=None, foreign_key="person.id")
    triaged_at: datetime | None = None
    duplicate_of: int | None = Field(default=None, foreign_key="feedback.id")
    item_id: int | None = Field(default=None, foreign_key="actionitem.id")
    resolution: str | None = Field(default=None, max_length=1000)
    closed_at: datetime | None = None


def add(db: Session, feedback: Feedback) -> Feedback:
    db.add(feedback)
    db.flush()
    return feedback


def save(db: Session, feedback: Feedback) -> None:
    db.add(feedback)
    db.flush()


def by_seq(db: Session, project_id: int, seq: int) -> Feedback | None:
    query = select(Feedback).where(Feedback.project_id == project_id, Feedback.seq == seq)
    return db.exec(query).first()


def by_ids(db: Session, ids: Sequence[int]) -> dict[int, Feedback]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    query = select(Feedback).where(col(Feedback.id).in_(wanted))
    return {f.id: f for f in db.exec(query).all()}


def of_item(db: Session, item_id: int) -> Feedback | None:
    """The report an action item was created from, if any."""
    return db.exec(select(Feedback).where(Feedback.item_id == item_id)).first()


def listing(
    db: Session,
    project_id: int,
    states: Sequence[str] | None = None,
    severity: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> tuple[Sequence[Feedback], int]:
    """A project's reports (newest first, at most `limit`) and how many match in all."""
    where = [Feedback.project_id == project_id]
    if states:
        where.append(col(Feedback.state).in_(states))
    if severity:
        where.append(Feedback.severity == severity)
    if since is not None:
        where.append(col(Feedback.created_at) > since)
    query = select(Feedback).where(*where).order_by(col(Feedback.seq).desc())
    found = db.exec(query.limit(limit) if limit else query).all()
    if limit is None or len(found) < limit:
        return found, len(found)
    total = db.exec(select(func.count()).select_from(Feedback).where(*where)).one()
    return found, int(total)


def counts(db: Session, project_id: int, column: str) -> list[tuple[str | None, int]]:
    """How many reports of the project per value of `column` (severity, step or state)."""
    field = getattr(Feedback, column)
    query = (
        select(field, func.count())
        .where(Feedback.project_id == project_id)
        .group_by(field)
    )
    return [(value, int(n)) for value, n in db.exec(query).all()]
