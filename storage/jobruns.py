"""Job periods: a period is claimed by inserting its unique row (job, scope, period).

Two processes claiming one period: the second insert waits for the first
transaction and then finds the row, so exactly one of them runs the period.

A unit of a job that failed (one project's digest, one group's morning sweep)
is recorded as job `<job>:failed` for its scope and period, `run_at` the last
attempt: the job backs off from it, `taskforce status` lists it, and the
unit's next success clears it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
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


def claim_many(
    db: Session, job: str, periods: Sequence[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """`claim` for many (scope, period) pairs in one statement: the pairs now owned here."""
    if not periods:
        return set()
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobRun)
        .values([{"job": job, "scope": s, "period": p, "run_at": now} for s, p in periods])
        .on_conflict_do_nothing(index_elements=["job", "scope", "period"])
        .returning(JobRun.scope, JobRun.period)
    )
    return {(scope, period) for scope, period in db.exec(statement).all()}


FAILED = ":failed"


def record_failure(db: Session, job: str, scope: str, period: str, now: datetime) -> None:
    """Note that (job, scope, period) failed at `now` (one row per period, the last attempt)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobRun)
        .values(job=job + FAILED, scope=scope, period=period, run_at=now)
        .on_conflict_do_update(index_elements=["job", "scope", "period"], set_={"run_at": now})
    )
    db.exec(statement)


def last_failure(db: Session, job: str, scope: str) -> datetime | None:
    """When `scope` of `job` last failed, if it has not succeeded since."""
    query = select(func.max(JobRun.run_at)).where(JobRun.job == job + FAILED, JobRun.scope == scope)
    return db.exec(query).one()


def clear_failures(db: Session, job: str, scope: str | Sequence[str]) -> None:
    scopes = [scope] if isinstance(scope, str) else list(scope)
    db.exec(delete(JobRun).where(col(JobRun.job) == job + FAILED, col(JobRun.scope).in_(scopes)))


def failures(db: Session, limit: int) -> Sequence[JobRun]:
    """The newest failures not yet followed by a success of their scope."""
    query = select(JobRun).where(col(JobRun.job).endswith(FAILED))
    return db.exec(
        query.order_by(col(JobRun.run_at).desc(), col(JobRun.id).desc()).limit(limit)
    ).all()


def last_period(db: Session, job: str, scope: str) -> str | None:
    query = select(func.max(JobRun.period)).where(JobRun.job == job, JobRun.scope == scope)
    return db.exec(query).one()


def latest(
    db: Session, jobs: Sequence[str], scopes: Sequence[str]
) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(job, scope) -> (newest period, last run) for each of `jobs` in each of `scopes`
    that has a row, in one statement (the unique index's (job, scope) prefix)."""
    if not jobs or not scopes:
        return {}
    query = (
        select(JobRun.job, JobRun.scope, func.max(JobRun.period), func.max(JobRun.run_at))
        .where(col(JobRun.job).in_(jobs), col(JobRun.scope).in_(scopes))
        .group_by(JobRun.job, JobRun.scope)
    )
    return {(job, scope): (period, run_at) for job, scope, period, run_at in db.exec(query).all()}


def recent(db: Session, limit: int) -> Sequence[JobRun]:
    query = select(JobRun).where(~col(JobRun.job).endswith(FAILED))
    return db.exec(query.order_by(col(JobRun.id).desc()).limit(limit)).all()


def summary(db: Session) -> Sequence[tuple[str, int, str, datetime]]:
    """Per job: how many periods ran, the newest period and when the last run was."""
    query = (
        select(JobRun.job, func.count(), func.max(JobRun.period), func.max(JobRun.run_at))
        .where(~col(JobRun.job).endswith(FAILED))
        .group_by(JobRun.job)
        .order_by(JobRun.job)
    )
    return db.exec(query).all()
