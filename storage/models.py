"""Tables. Timestamps are aware UTC; due dates are dates in the project's timezone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.names import KEY_LENGTH, name_key


class Department(SQLModel, table=True):
    __table_args__ = (Index("ux_department_name_key", "name_key", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    name_key: str = Field(default="", max_length=KEY_LENGTH)  # set from name on every write
    head_id: int | None = None  # person.id; no FK: department and person refer to each other


class Person(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("platform", "user_id"),
        Index("ix_person_platform_name", "platform", "name_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    display_name: str = Field(max_length=80)
    name_key: str = Field(max_length=KEY_LENGTH)  # storage.names.name_key(display_name)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    current_project_id: int | None = None  # project.id chosen with `use`
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=80)
    goal: str | None = Field(default=None, max_length=500)
    lead_department_id: int | None = Field(default=None, foreign_key="department.id")
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    calendar: str = Field(default="cn", max_length=16)
    locale: str = Field(default="en", max_length=8)
    phase: str = Field(default="diagnose", max_length=16)
    item_seq: int = 0
    created_at: datetime


class ChannelBinding(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "channel_id"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=128)
    channel_name: str | None = Field(default=None, max_length=128)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=16)


class Kpi(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index("ux_kpi_project_name_key", "project_id", "name_key", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    name: str = Field(max_length=80)
    name_key: str = Field(default="", max_length=KEY_LENGTH)  # set from name on every write
    baseline: float
    target: float
    unit: str | None = Field(default=None, max_length=16)


class KpiValue(SQLModel, table=True):
    __table_args__ = (Index("ix_kpivalue_kpi_at", "kpi_id", "recorded_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id")
    value: float
    recorded_at: datetime
    recorded_by: int | None = Field(default=None, foreign_key="person.id")


class ActionItem(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_item_project_status_due", "project_id", "status", "due_date"),
        Index("ix_item_owner_status", "owner_id", "status"),
        Index("ix_item_status_due", "status", "due_date"),
        Index("ix_item_project_status_done", "project_id", "status", "done_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    title: str = Field(max_length=200)
    owner_id: int = Field(foreign_key="person.id")
    due_date: date
    original_due: date
    deliverable: str | None = Field(default=None, max_length=500)
    status: str = Field(default="open", max_length=16)
    blocked_reason: str | None = Field(default=None, max_length=1000)
    slips: int = 0
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None = None


class History(SQLModel, table=True):
    """Append-only: who changed what, when. Never updated or deleted."""

    __table_args__ = (
        Index("ix_history_entity", "entity", "entity_id", "id"),
        Index("ix_history_project_at", "project_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    entity: str = Field(max_length=16)
    entity_id: int
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime
    field: str = Field(max_length=32)
    old: str | None = Field(default=None, max_length=1000)
    new: str | None = Field(default=None, max_length=1000)


class InboundSeen(SQLModel, table=True):
    """Requests a platform may deliver twice (Slack retries, DingTalk re-deliveries), by key.

    Shared by every replica, so a retry that reaches another process is still dropped.
    """

    key: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(index=True)


def _keep_name_key(_mapper: Any, _connection: Any, row: Department | Kpi) -> None:
    # whoever writes a department or KPI (handler, import, test), its key follows its name
    row.name_key = name_key(row.name)


for _named in (Department, Kpi):
    event.listen(_named, "before_insert", _keep_name_key)
    event.listen(_named, "before_update", _keep_name_key)
