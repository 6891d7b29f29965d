"""Action items: lookup, listing with filters, and creation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from storage import people
from storage.models import ActionItem, Person
from storage.prepared import ids_param

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


@lru_cache(maxsize=64)  # a statement per shape of filter, built once (storage/prepared.py)
def _listing(owner: bool, department: bool, since: bool, until: bool, overdue: int
             ) -> tuple[Select[tuple[ActionItem, Person]], SelectOfScalar[int]]:
    """The page (each item with its owner) and the count for a filter of this shape;
    `overdue`: how many projects' todays it compares with (each project has its own)."""
    where = [
        col(ActionItem.project_id).in_(ids_param()),
        col(ActionItem.status).in_(ids_param("statuses")),
    ]
    if owner:
        where.append(ActionItem.owner_id == bindparam("owner_id"))
    if department:
        where.append(Person.department_id == bindparam("department_id"))
    if since:
        where.append(col(ActionItem.due_date) >= bindparam("due_from"))
    if until:
        where.append(col(ActionItem.due_date) <= bindparam("due_until"))
    if overdue == 1:  # one project: its due dates alone (a repeated project_id = ? would
        # lead SQLite to its (project, seq) index, reading every item of the project)
        where.append(col(ActionItem.due_date) < bindparam("d0"))
    elif overdue:
        where.append(or_(*(
            and_(ActionItem.project_id == bindparam(f"p{n}"),
                 col(ActionItem.due_date) < bindparam(f"d{n}"))
            for n in range(overdue)
        )))
    joined = col(Person.id) == col(ActionItem.owner_id)
    page = (
        select(ActionItem, Person).join(Person, joined).where(*where)
        .order_by(ActionItem.due_date, ActionItem.project_id, ActionItem.seq)
        .offset(bindparam("offset")).limit(bindparam("limit"))
    )
    count = select(func.count()).select_from(ActionItem).join(Person, joined).where(*where)
    return page, count


def _todays(flt: ItemFilter) -> list[tuple[int, date]]:
    """(project, its today) for an overdue-only filter: of every project listed (a project
    without a today lists nothing overdue)."""
    if not flt.overdue_only:
        return []
    return list({pid: flt.today[pid] for pid in flt.project_ids if pid in flt.today}.items())


def _values(flt: ItemFilter, todays: list[tuple[int, date]]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ids": list(flt.project_ids), "statuses": list(flt.statuses),
        "owner_id": flt.owner_id, "department_id": flt.department_id,
        "due_from": flt.due_from, "due_until": flt.due_until,
    }
    for n, (pid, day) in enumerate(todays):
        values[f"p{n}"], values[f"d{n}"] = pid, day
    return {k: v for k, v in values.items() if v is not None}


def listing(
    db: Session, flt: ItemFilter, limit: int, offset: int = 0
) -> tuple[Sequence[ActionItem], int]:
    """Up to `limit` matching items after the first `offset`, soonest due first, and how
    many matched in all; their owners read with them (`people.by_ids` finds them)."""
    if not flt.project_ids:
        return [], 0
    todays = _todays(flt)
    if flt.overdue_only and len(todays) < len(set(flt.project_ids)):
        flt = replace(flt, project_ids=[pid for pid, _ in todays])  # see `_listing`
        if not todays:
            return [], 0
    values = _values(flt, todays)
    page, count = _listing(flt.owner_id is not None, flt.department_id is not None,
                           flt.due_from is not None, flt.due_until is not None, len(todays))
    found = db.exec(page, params={**values, "offset": offset, "limit": limit}).all()
    people.remember_all(db, (owner for _, owner in found))
    rows = [item for item, _ in found]
    if len(rows) < limit and (rows or not offset):
        return rows, offset + len(rows)
    return rows, db.exec(count, params=values).one()


def status_counts(db: Session, project_id: int) -> dict[str, int]:
    query = (
        select(ActionItem.status, func.count())
        .where(ActionItem.project_id == project_id)
        .group_by(ActionItem.status)
    )
    return dict(db.exec(query).all())
