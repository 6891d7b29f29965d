"""Digest schedules: one row per project, made with the default the first time it is needed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.delivery_tables import DigestSchedule
from storage.models import Project

DEFAULT_CADENCE, DEFAULT_WEEKDAY, DEFAULT_AT = "weekly", 4, "17:00"  # COMMANDS.md: weekly fri 17:00
CHUNK = 500  # rows per INSERT


def get(db: Session, project_id: int) -> DigestSchedule | None:
    return db.get(DigestSchedule, project_id)


def unscheduled(db: Session) -> Sequence[Project]:
    """Projects without a schedule row yet (normally none: rows are made once)."""
    missing = (
        ~select(DigestSchedule.project_id).where(DigestSchedule.project_id == Project.id).exists()
    )
    return db.exec(select(Project).where(missing)).all()


def add_defaults(
    db: Session, projects: Sequence[Project], first_at: Callable[[Project], datetime]
) -> None:
    """Default schedules for `projects`; a row another process made meanwhile is kept."""
    if not projects:
        return
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    rows = [
        {
            "project_id": p.id,
            "cadence": DEFAULT_CADENCE,
            "weekday": DEFAULT_WEEKDAY,
            "at": DEFAULT_AT,
            "next_at": first_at(p),
            "since": p.created_at,
        }
        for p in projects
    ]
    for start in range(0, len(rows), CHUNK):  # bounded statements, however many projects
        chunk = rows[start : start + CHUNK]
        db.exec(dialect.insert(DigestSchedule).values(chunk).on_conflict_do_nothing())


def due(db: Session, now: datetime, limit: int) -> Sequence[tuple[DigestSchedule, Project]]:
    """Schedules whose next digest time has come (index on next_at), with their projects."""
    query = (
        select(DigestSchedule, Project)
        .join(Project, col(Project.id) == col(DigestSchedule.project_id))
        .where(col(DigestSchedule.next_at) <= now)
        .order_by(DigestSchedule.next_at)
        .limit(limit)
    )
    return db.exec(query).all()


def save(db: Session, schedule: DigestSchedule) -> None:
    db.add(schedule)
    db.flush()


def due_among(db: Session, project_ids: Sequence[int], now: datetime) -> dict[int, DigestSchedule]:
    """The schedules of `project_ids` still due at `now` (another process may have moved one)."""
    query = select(DigestSchedule).where(
        col(DigestSchedule.project_id).in_(project_ids), col(DigestSchedule.next_at) <= now
    )
    return {s.project_id: s for s in db.exec(query).all()}


def move(db: Session, changes: Sequence[dict]) -> None:
    """Set next_at (and since, where given) of many schedules: dicts with project_id."""
    for keys in ({"project_id", "next_at"}, {"project_id", "next_at", "since"}):
        rows = [c for c in changes if set(c) == keys]
        if rows:
            db.exec(update(DigestSchedule), params=rows)  # type: ignore[call-overload]
