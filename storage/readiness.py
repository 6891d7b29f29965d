"""A project's readiness settings and its switch to rollout: one row per project.

`quiz_percent` is `policy readiness quiz <n>%` (None: the default). `rollout_at` is when
the project last switched to rollout and `rollout_on` that day in the project's
timezone: the early-rollout daily digests count from it, and six months after it the
process owner is reminded once (`review_reminded_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import Project

DEFAULT_QUIZ_PERCENT = 90  # COMMANDS.md: policy readiness quiz <percent>%, per department


class Readiness(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    quiz_percent: int | None = None
    updated_at: datetime | None = None
    updated_by: int | None = Field(default=None, foreign_key="person.id")
    rollout_at: datetime | None = Field(default=None, index=True)
    rollout_on: date | None = None
    rollout_forced: bool = False
    review_reminded_at: datetime | None = None


def get(db: Session, project_id: int) -> Readiness | None:
    return db.get(Readiness, project_id)


def get_or_new(db: Session, project_id: int) -> Readiness:
    return get(db, project_id) or Readiness(project_id=project_id)


def quiz_percent(db: Session, project_id: int) -> int:
    found = get(db, project_id)
    return found.quiz_percent if found and found.quiz_percent is not None else DEFAULT_QUIZ_PERCENT


def rollout_day(db: Session, project_id: int) -> date | None:
    """The local day the project switched to rollout, if it has."""
    found = get(db, project_id)
    return found.rollout_on if found else None


def rollout_days(db: Session, project_ids: Sequence[int]) -> dict[int, date]:
    """The local day each of the projects switched to rollout (those that have)."""
    found: dict[int, date] = {}
    for start in range(0, len(project_ids), 500):
        query = select(Readiness.project_id, Readiness.rollout_on).where(
            col(Readiness.project_id).in_(project_ids[start : start + 500]),
            col(Readiness.rollout_on).is_not(None),
        )
        found.update({pid: day for pid, day in db.exec(query).all()})
    return found


def save(db: Session, row: Readiness) -> None:
    db.add(row)
    db.flush()


def review_due(db: Session, rolled_out_before: datetime) -> Sequence[tuple[Readiness, Project]]:
    """Rollouts at or before `rolled_out_before` whose process owner was not reminded yet
    (index on rollout_at), with their projects, in one query."""
    query = (
        select(Readiness, Project)
        .join(Project, col(Project.id) == col(Readiness.project_id))
        .where(
            col(Readiness.rollout_at) <= rolled_out_before,
            col(Readiness.review_reminded_at).is_(None),
        )
        .order_by(Readiness.rollout_at)
    )
    return db.exec(query).all()


def not_reminded(db: Session, project_ids: Sequence[int]) -> Sequence[tuple[Readiness, Project]]:
    """Of `project_ids`, the rollouts whose process owner was not reminded yet, with their
    projects (one query)."""
    if not project_ids:
        return []
    query = (
        select(Readiness, Project)
        .join(Project, col(Project.id) == col(Readiness.project_id))
        .where(
            col(Readiness.project_id).in_(project_ids),
            col(Readiness.review_reminded_at).is_(None),
            col(Readiness.rollout_on).is_not(None),
        )
        .order_by(Readiness.project_id)
    )
    return db.exec(query).all()
