"""KPI cadences (who records a KPI's value, and how often) and the queries over KPI values.

The KPI and its values stay in storage.models (Kpi, KpiValue); a KPI is looked up by
name with storage.projects.kpi. A value's date is the local date of its `recorded_at`
(a backfill is stored at the start of the day it is for), so values are read in
`recorded_at` order, never by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import UniqueConstraint, and_
from sqlmodel import Field, Session, SQLModel, col, func, select

from storage.digest_sets import chunks
from storage.models import Kpi, KpiValue, Person, Project
from storage.prepared import ids_param

CADENCES = ("week", "month")


class KpiCadence(SQLModel, table=True):
    __tablename__ = "kpi_cadence"
    __table_args__ = (UniqueConstraint("kpi_id", name="uq_kpi_cadence_kpi"),)
    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id")
    project_id: int = Field(foreign_key="project.id", index=True)
    every: str = Field(max_length=8)  # week | month
    day: int  # week: Monday 0 … Sunday 6; month: day of month 1…31 (clamped to its length)
    owner_id: int = Field(foreign_key="person.id", index=True)
    set_by: int = Field(foreign_key="person.id")
    set_at: datetime


def cadence_of(db: Session, kpi_id: int) -> KpiCadence | None:
    return db.exec(select(KpiCadence).where(KpiCadence.kpi_id == kpi_id)).first()


def set_cadence(
    db: Session, kpi: Kpi, every: str, day: int, owner_id: int, by: int, at: datetime
) -> tuple[KpiCadence, KpiCadence | None]:
    """Create or change the KPI's cadence: (the cadence, a copy of the one it replaced)."""
    found = cadence_of(db, kpi.id)
    before = KpiCadence.model_validate(found.model_dump()) if found else None
    if found is None:
        found = KpiCadence(
            kpi_id=kpi.id, project_id=kpi.project_id, every=every, day=day,
            owner_id=owner_id, set_by=by, set_at=at,
        )
    found.every, found.day, found.owner_id = every, day, owner_id
    found.set_by, found.set_at = by, at
    db.add(found)
    db.flush()
    return found, before


def owned_project_ids(db: Session, person_id: int) -> list[int]:
    """The projects in which the person owns a KPI's cadence."""
    query = select(KpiCadence.project_id).where(KpiCadence.owner_id == person_id).distinct()
    return sorted(db.exec(query).all())


def in_group(
    db: Session, timezone: str, calendar: str, project_ids: Sequence[int] | None = None
) -> Sequence[tuple[KpiCadence, Kpi, Project]]:
    """Every KPI with a cadence of the projects of one timezone/calendar group (of its
    projects `project_ids` only, when given)."""
    query = (
        select(KpiCadence, Kpi, Project)
        .join(Kpi, col(Kpi.id) == col(KpiCadence.kpi_id))
        .join(Project, col(Project.id) == col(KpiCadence.project_id))
        .where(Project.timezone == timezone, Project.calendar == calendar)
    )
    if project_ids is not None:
        query = query.where(col(KpiCadence.project_id).in_(project_ids))
    return db.exec(query.order_by(KpiCadence.project_id, KpiCadence.kpi_id)).all()


def value_times_since(
    db: Session, kpi_ids: Sequence[int], since: datetime
) -> dict[int, list[datetime]]:
    """When each KPI's values recorded at or after `since` are dated, in one query."""
    found: dict[int, list[datetime]] = {k: [] for k in kpi_ids}
    if not kpi_ids:
        return found
    query = select(KpiValue.kpi_id, KpiValue.recorded_at).where(
        col(KpiValue.kpi_id).in_(set(kpi_ids)), col(KpiValue.recorded_at) >= since
    )
    for kpi_id, at in db.exec(query).all():
        found[kpi_id].append(at)
    return found


@cache  # built once (storage/prepared.py)
def _with_latest() -> Any:
    of_projects = col(Kpi.project_id).in_(ids_param())
    newest = (
        select(KpiValue.kpi_id, func.max(KpiValue.recorded_at).label("last_at"))
        .join(Kpi, col(Kpi.id) == col(KpiValue.kpi_id))
        .where(of_projects)
        .group_by(col(KpiValue.kpi_id))
        .subquery()
    )
    return (
        select(Kpi, KpiValue, KpiCadence)
        .outerjoin(newest, newest.c.kpi_id == col(Kpi.id))
        .outerjoin(KpiValue, and_(col(KpiValue.kpi_id) == col(Kpi.id),
                                  col(KpiValue.recorded_at) == newest.c.last_at))
        .outerjoin(KpiCadence, col(KpiCadence.kpi_id) == col(Kpi.id))
        .where(of_projects)
        .order_by(Kpi.id, KpiValue.id)
    )


Latest = tuple[Kpi, KpiValue | None, KpiCadence | None]


def with_latest(db: Session, project_ids: Sequence[int]) -> dict[int, list[Latest]]:
    """Each project's KPIs in their order, each with the value of its latest date (the
    last recorded of that moment) and its cadence; one statement per CHUNK projects."""
    found: dict[int, dict[int, Latest]] = {pid: {} for pid in project_ids}
    for chunk in chunks(project_ids):
        for kpi, value, cadence in db.exec(_with_latest(), params={"ids": chunk}).all():
            found[kpi.project_id][kpi.id] = (kpi, value, cadence)  # the last value of a tie
    return {pid: list(kpis.values()) for pid, kpis in found.items()}


def history(
    db: Session, kpi_id: int, offset: int, limit: int
) -> tuple[Sequence[tuple[KpiValue, Person | None]], int]:
    """One page of a KPI's values, newest date first, with who recorded each; the total."""
    total = db.exec(select(func.count()).where(KpiValue.kpi_id == kpi_id)).one()
    query = (
        select(KpiValue, Person)
        .join(Person, col(Person.id) == col(KpiValue.recorded_by), isouter=True)
        .where(KpiValue.kpi_id == kpi_id)
        .order_by(col(KpiValue.recorded_at).desc(), col(KpiValue.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return db.exec(query).all(), int(total)


def values_of_project(
    db: Session, project_id: int
) -> Sequence[tuple[KpiValue, Kpi, Person | None]]:
    """Every recorded value of the project's KPIs, by KPI and date (the export)."""
    query = (
        select(KpiValue, Kpi, Person)
        .join(Kpi, col(Kpi.id) == col(KpiValue.kpi_id))
        .join(Person, col(Person.id) == col(KpiValue.recorded_by), isouter=True)
        .where(Kpi.project_id == project_id)
        .order_by(col(Kpi.id), col(KpiValue.recorded_at), col(KpiValue.id))
    )
    return db.exec(query).all()
