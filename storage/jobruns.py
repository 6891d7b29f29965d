"""Job periods: a period is claimed by inserting its unique row (job, scope, period).

Two processes claiming one period: the second insert waits for the first
transaction and then finds the row, so exactly one of them runs the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from storage.delivery_tables import JobRun


def claim(db: Session, job: str, scope: str, period: str, now: datetime) -> bool:
    """True when this transaction now owns (job, scope, period); False when it was taken."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobRun)
        .values(job=job, scope=scope, period=period, run_at=now)
        .on_conflict_do_nothing(index_elements=["job", "scope", "period"])
        .returning(JobRun.id)
    )
    return db.exec(statement).first() is not None


def last_period(db: Session, job: str, scope: str) -> str | None:
    query = select(func.max(JobRun.period)).where(JobRun.job == job, JobRun.scope == scope)
    return db.exec(query).one()


def recent(db: Session, limit: int) -> Sequence[JobRun]:
    return db.exec(select(JobRun).order_by(col(JobRun.id).desc()).limit(limit)).all()


def summary(db: Session) -> Sequence[tuple[str, int, str, datetime]]:
    """Per job: how many periods ran, the newest period and when the last run was."""
    query = (
        select(JobRun.job, func.count(), func.max(JobRun.period), func.max(JobRun.run_at))
        .group_by(JobRun.job)
        .order_by(JobRun.job)
    )
    return db.exec(query).all()
