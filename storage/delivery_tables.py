"""Tables of the scheduler and the outbox: messages waiting to go out, job periods
already run, and each project's digest schedule. Times are aware UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class OutboxMessage(SQLModel, table=True):
    """One rendered message to one target; delivered at least once, posted once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    channel_id: str | None = Field(default=None, max_length=128)
    user_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=40)  # the template (message kind) it was rendered from
    project_id: int | None = Field(default=None, foreign_key="project.id")
    payload: str = Field(sa_type=Text)
    state: str = Field(default="queued", max_length=8)  # queued | sent | failed
    attempts: int = 0
    next_attempt_at: datetime
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None  # a lease: a dead claimer's row is taken over after it
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    sent_at: datetime | None = None
    # the command or job run that queued it (its log lines carry the same id)
    request_id: str | None = Field(default=None, max_length=32)


class JobRun(SQLModel, table=True):
    """A job period claimed by one process: the unique row is the claim."""

    __tablename__ = "jobrun"
    __table_args__ = (UniqueConstraint("job", "scope", "period", name="uq_jobrun_period"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    scope: str = Field(max_length=80)  # a project id, or a timezone|calendar group
    period: str = Field(max_length=32)  # sortable: 2026-11-27, 2026-W48
    run_at: datetime


class DigestSchedule(SQLModel, table=True):
    """When a project's progress digest is due; created with the default on first use."""

    __tablename__ = "digestschedule"
    project_id: int = Field(primary_key=True, foreign_key="project.id")
    cadence: str = Field(default="weekly", max_length=8)  # daily | weekly
    weekday: int | None = 4  # Monday = 0; weekly only
    at: str = Field(default="17:00", max_length=5)  # HH:MM, project timezone
    next_at: datetime = Field(index=True)
    since: datetime | None = None  # the "since last digest" mark
