"""Action items: lookup, listing with filters, and creation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from storage.models import ActionItem, Person

ACTIVE = ("open", "in_progress", "blocked")


@dataclass
class ItemFilter:
    """What `action list` asked for; `today` maps project id -> today in its timezone."""

    project_ids: Sequence[int]
    today: Mapping[int, date]
    statuses: Sequence[str] = ACTIVE
    owner_id: int | None = None
    department_id: int | None = None
    overdue_only: bool = False
    due_from: date | None = None
    due_until: date | None = None


def by_seq(db: Session, project_id: int, seq: int) -> ActionItem | None:
    query = select(ActionItem).where(ActionItem.project_id == project_id, ActionItem.seq == seq)
    return db.exec(query).first()


def add(db: Session, item: ActionItem) -> ActionItem:
    db.add(item)
    db.flush()
    return item


def _where(flt: ItemFilter) -> list:
    clauses = [
        col(ActionItem.project_id).in_(flt.project_ids),
        col(ActionItem.status).in_(flt.statuses),
    ]
    if flt.owner_id is not None:
        clauses.append(ActionItem.owner_id == flt.owner_id)
    if flt.department_id is not None:
        clauses.append(Person.department_id == flt.department_id)
    if flt.due_from is not None:
        clauses.append(col(ActionItem.due_date) >= flt.due_from)
    if flt.due_until is not None:
        clauses.append(col(ActionItem.due_date) <= flt.due_until)
    if flt.overdue_only:
        clauses.append(
            or_(
                *(
                    and_(ActionItem.project_id == pid, col(ActionItem.due_date) < day)
                    for pid, day in flt.today.items()
                    if pid in flt.project_ids
                )
            )
        )
    return clauses


def listing(
    db: Session, flt: ItemFilter, limit: int, offset: int = 0
) -> tuple[Sequence[ActionItem], int]:
    """Up to `limit` matching items after the first `offset`, soonest due first, and how
    many matched in all."""
    if not flt.project_ids:
        return [], 0
    base = select(ActionItem).join(Person, col(Person.id) == col(ActionItem.owner_id))
    where = _where(flt)
    rows = db.exec(
        base.where(*where)
        .order_by(ActionItem.due_date, ActionItem.project_id, ActionItem.seq)
        .offset(offset)
        .limit(limit)
    ).all()
    if len(rows) < limit and (rows or not offset):
        return rows, offset + len(rows)
    count_query = (
        select(func.count())
        .select_from(ActionItem)
        .join(Person, col(Person.id) == col(ActionItem.owner_id))
        .where(*where)
    )
    return rows, db.exec(count_query).one()


def status_counts(db: Session, project_id: int) -> dict[str, int]:
    query = (
        select(ActionItem.status, func.count())
        .where(ActionItem.project_id == project_id)
        .group_by(ActionItem.status)
    )
    return dict(db.exec(query).all())
