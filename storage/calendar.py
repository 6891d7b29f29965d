"""Organisation-wide working-day calendar overrides (one row per date, the one in effect).

A later override of a date replaces the row's kind and name and bumps its
`revision`; the earlier values stay in the history (entity "calendar"). No
override is ever deleted, so `version()` (row count and the sum of revisions)
changes with every committed write and costs one aggregate over a small table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, func, select

KINDS = ("holiday", "workday")


class CalendarOverride(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("day", name="uq_calendaroverride_day"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date
    kind: str = Field(max_length=8)  # "holiday" | "workday"
    name: str = Field(default="", max_length=80)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime
    revision: int = 1  # how many times this date has been set


@cache  # every command asks it: built once
def _version() -> Any:
    total = func.coalesce(func.sum(CalendarOverride.revision), 0)
    return select(func.count(CalendarOverride.id), total)


_AHEAD = "calendar.version"  # Session.info: the version read ahead, answered once


def remember_version(db: Session, count: int, revisions: int) -> None:
    """What the next `version` answers (read ahead by storage/opening.py)."""
    db.info[_AHEAD] = (int(count), int(revisions))


def version(db: Session) -> tuple[int, int]:
    """Changes whenever an override is added or replaced (and committed)."""
    ahead = db.info.pop(_AHEAD, None)
    if ahead is not None:
        return ahead
    count, revisions = db.exec(_version()).one()
    return int(count), int(revisions)


def all_overrides(db: Session) -> Sequence[CalendarOverride]:
    return db.exec(select(CalendarOverride).order_by(CalendarOverride.day)).all()


def on_day(db: Session, day: date) -> CalendarOverride | None:
    return db.exec(select(CalendarOverride).where(CalendarOverride.day == day)).first()


def put(
    db: Session, day: date, kind: str, name: str, person_id: int | None, now: datetime
) -> tuple[CalendarOverride, CalendarOverride | None]:
    """Set the override of `day`; returns it and a detached copy of the one it replaced."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    row = on_day(db, day)
    old = None
    if row is None:
        row = CalendarOverride(day=day, kind=kind, name=name, created_by=person_id, created_at=now)
    else:
        old = CalendarOverride(day=row.day, kind=row.kind, name=row.name, revision=row.revision,
                               created_by=row.created_by, created_at=row.created_at)
        row.kind, row.name, row.created_by, row.created_at = kind, name, person_id, now
        row.revision += 1
    db.add(row)
    db.flush()
    return row, old
