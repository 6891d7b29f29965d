"""The grouped morning posts' table and queries.

`OverduePending`: an item reopened after its alert morning, waiting to be listed
in its channel's next grouped overdue post (its owner was told at once, by DM).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import UniqueConstraint, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, func, select

from storage.items import ACTIVE
from storage.models import ActionItem, Project


class OverduePending(SQLModel, table=True):
    __tablename__ = "overdue_pending"
    __table_args__ = (UniqueConstraint("item_id", "due_date", name="uq_overdue_pending"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="actionitem.id")
    project_id: int = Field(foreign_key="project.id", index=True)
    due_date: date
    created_at: datetime


def _dialect(db: Session):  # noqa: ANN202
    return postgresql if db.get_bind().dialect.name == "postgresql" else sqlite


def add_pending(db: Session, item: ActionItem, now: datetime) -> None:
    """List `item` (at its current due date) in its channels' next grouped post."""
    statement = (
        _dialect(db)
        .insert(OverduePending)
        .values(item_id=item.id, project_id=item.project_id, due_date=item.due_date, created_at=now)
        .on_conflict_do_nothing(index_elements=["item_id", "due_date"])
    )
    db.exec(statement)


def pending_of_group(
    db: Session, timezone: str, calendar: str, project_ids: Sequence[int] | None = None
) -> Sequence[tuple[OverduePending, ActionItem, Project]]:
    """Pending listings of one timezone/calendar group (of `project_ids` among them, when
    given), with their item and project."""
    query = (
        select(OverduePending, ActionItem, Project)
        .join(ActionItem, col(ActionItem.id) == col(OverduePending.item_id))
        .join(Project, col(Project.id) == col(OverduePending.project_id))
        .where(Project.timezone == timezone, Project.calendar == calendar)
        .order_by(OverduePending.project_id, ActionItem.seq)
    )
    if project_ids is not None:
        query = query.where(col(OverduePending.project_id).in_(project_ids))
    return db.exec(query).all()


def drop_pending(db: Session, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), 500):
        db.exec(delete(OverduePending).where(col(OverduePending.id).in_(ids[start : start + 500])))


def overdue_counts(db: Session, project_ids: Sequence[int], until: date) -> dict[int, int]:
    """Per project: its active items due on or before `until` (counted by the database)."""
    found: dict[int, int] = {}
    ids = sorted(set(project_ids))
    for start in range(0, len(ids), 500):
        query = (
            select(ActionItem.project_id, func.count())
            .where(
                col(ActionItem.project_id).in_(ids[start : start + 500]),
                col(ActionItem.status).in_(ACTIVE),
                col(ActionItem.due_date) <= until,
            )
            .group_by(ActionItem.project_id)
        )
        found.update(dict(db.exec(query).all()))
    return found
