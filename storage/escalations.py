"""Escalations: per-project ladder policy, E-records and their append-only events.

A record's subject is `subject_kind` + `subject_id` ("item" and the item id, or
"conflict" and none, "review-slot" and the slot id), so quiz deadlines can be added as
a further kind. Ladder records (raised by the overdue ladder) carry `ladder_key` =
`item:<id>:<due>` or `slot:<slot id>:<round>:<due>`: unique, one record per item and due
date, per late review slot and round.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache

from sqlalchemy import Index, UniqueConstraint, bindparam, insert, literal, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import Project
from storage.prepared import ids_param
from storage.sequences import IdSequence

DEFAULT_LEVELS = "1:owner 2:lead 4:dept-head"
OPEN_STATES = ("open", "acknowledged")
CHUNK = 500  # records per set-based update


class EscalationPolicy(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    levels: str = Field(default=DEFAULT_LEVELS, max_length=200)  # "1:owner 2:lead 4:dept-head"
    renotify_hours: int | None = None
    started_on: date  # items overdue before this day start counting on it
    updated_at: datetime
    updated_by: int | None = Field(default=None, foreign_key="person.id")


class Escalation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_escalation_state_project", "state", "project_id"),
        Index("ix_escalation_kind_state_created", "subject_kind", "state", "created_at"),
        Index("ix_escalation_state_notified", "state", "last_notified_at"),
        Index("ix_escalation_item", "item_id", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    subject_kind: str = Field(max_length=16)  # item | conflict | review-slot
    subject_id: int | None = None
    item_id: int | None = Field(default=None, foreign_key="actionitem.id")
    due_date: date | None = None  # the due date this ladder is for
    ladder_key: str | None = Field(default=None, max_length=80, unique=True)
    level: str = Field(max_length=16)  # owner | lead | dept-head | target
    level_days: int = 0
    reason: str = Field(max_length=1000)
    raised_by: int | None = Field(default=None, foreign_key="person.id")  # None: the system
    target_id: int | None = Field(default=None, foreign_key="person.id")  # a conflict's person
    target_dept_id: int | None = Field(default=None, foreign_key="department.id")
    state: str = Field(default="open", max_length=16)  # open | acknowledged | resolved
    ack_by: int | None = Field(default=None, foreign_key="person.id")
    ack_at: datetime | None = None
    eta: date | None = None
    resolved_by: int | None = Field(default=None, foreign_key="person.id")
    resolved_at: datetime | None = None
    resolution: str | None = Field(default=None, max_length=1000)
    created_at: datetime
    last_notified_at: datetime
    renotified: int = 0  # renotify slots sent at the current level


class EscalationEvent(SQLModel, table=True):
    """Append-only: a level reached, a person notified, an ack, a resolution."""

    __table_args__ = (
        Index("ix_escevent_escalation", "escalation_id", "id"),
        Index("ix_escevent_person", "person_id", "escalation_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id")
    at: datetime
    kind: str = Field(max_length=16)  # raised level notified renotify ack lapsed resolved
    level: str | None = Field(default=None, max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # who was notified
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    note: str | None = Field(default=None, max_length=1000)


def policy(db: Session, project_id: int) -> EscalationPolicy | None:
    return db.get(EscalationPolicy, project_id)


def policies(db: Session, project_ids: Sequence[int]) -> dict[int, EscalationPolicy]:
    if not project_ids:
        return {}
    query = select(EscalationPolicy).where(col(EscalationPolicy.project_id).in_(set(project_ids)))
    return {p.project_id: p for p in db.exec(query).all()}


def ensure_policies(db: Session, zone: str, calendar: str, today: date, now: datetime) -> None:
    """Default policies, started today, for a group's projects that have none: the day a
    project's ladder first runs (items already overdue start counting on it). One statement."""
    table = EscalationPolicy.__table__  # type: ignore[attr-defined]
    have = select(EscalationPolicy.project_id)
    rows = select(
        Project.id,
        literal(DEFAULT_LEVELS, table.c.levels.type),
        literal(today, table.c.started_on.type),
        literal(now, table.c.updated_at.type),
    ).where(Project.timezone == zone, Project.calendar == calendar, col(Project.id).not_in(have))
    statement = insert(EscalationPolicy).from_select(
        ["project_id", "levels", "started_on", "updated_at"], rows
    )
    db.exec(statement)


def by_seq(db: Session, project_id: int, seq: int) -> Escalation | None:
    query = select(Escalation).where(Escalation.project_id == project_id, Escalation.seq == seq)
    return db.exec(query).first()


def by_ladder_keys(db: Session, keys: Sequence[str]) -> dict[str, Escalation]:
    found: dict[str, Escalation] = {}
    for start in range(0, len(keys), 500):
        query = select(Escalation).where(col(Escalation.ladder_key).in_(keys[start : start + 500]))
        found.update({e.ladder_key: e for e in db.exec(query).all() if e.ladder_key})
    return found


def add(db: Session, record: Escalation) -> Escalation:
    db.add(record)
    db.flush()
    return record


def event(db: Session, record: Escalation, kind: str, at: datetime,
          sink: list[dict] | None = None, **fields: object) -> None:
    """Append an event; with `sink`, as a row for `add_events` (a sweep inserts them at once)."""
    row = {"escalation_id": record.id, "kind": kind, "at": at, "level": None,
           "person_id": None, "actor_id": None, "note": None, **fields}
    if sink is not None:
        sink.append(row)
    else:
        db.add(EscalationEvent(**row))


def add_events(db: Session, rows: Sequence[dict]) -> None:
    """Insert event rows at once (executemany: one compiled statement)."""
    if rows:
        db.connection().execute(insert(EscalationEvent.__table__), list(rows))  # type: ignore[attr-defined]


def take_seqs(db: Session, wanted: dict[int, int]) -> dict[int, int]:
    """Reserve `wanted[p]` E-numbers in each project at once; the last number taken in each
    (so project p got last - wanted[p] + 1 … last). One statement for every project."""
    if not wanted:
        return {}
    upsert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = upsert(IdSequence).values(
        [{"project_id": p, "kind": "E", "last": n} for p, n in sorted(wanted.items())]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["project_id", "kind"],
        set_={"last": IdSequence.last + statement.excluded.last},
    ).returning(IdSequence.project_id, IdSequence.last)
    return dict(db.exec(statement).all())


def insert_records(db: Session, rows: Sequence[dict]) -> dict[str, int]:
    """Insert ladder records at once (executemany with RETURNING); their ids by ladder key."""
    if not rows:
        return {}
    table = Escalation.__table__  # type: ignore[attr-defined]
    statement = insert(table).returning(table.c.id, table.c.ladder_key)
    found = db.connection().execute(statement, list(rows)).all()
    return {key: rid for rid, key in found}


def events_of(db: Session, escalation_id: int) -> Sequence[EscalationEvent]:
    query = select(EscalationEvent).where(EscalationEvent.escalation_id == escalation_id)
    return db.exec(query.order_by(EscalationEvent.id)).all()


def notified_at_level(db: Session, record: Escalation) -> set[int]:
    """Who was notified at the record's current level: its current targets."""
    query = select(EscalationEvent.person_id).where(
        EscalationEvent.escalation_id == record.id,
        EscalationEvent.kind == "notified",
        EscalationEvent.level == record.level,
    )
    return {pid for pid in db.exec(query).all() if pid is not None}


def projects_sent_to(db: Session, person_id: int, seq: int) -> Sequence[int]:
    query = (
        select(Escalation.project_id)
        .join(EscalationEvent, col(EscalationEvent.escalation_id) == col(Escalation.id))
        .where(
            Escalation.seq == seq,
            EscalationEvent.person_id == person_id,
            EscalationEvent.kind == "notified",
        )
        .distinct()
    )
    return db.exec(query).all()


@cache  # built once (storage/prepared.py)
def _listing() -> SelectOfScalar[Escalation]:
    query = select(Escalation).where(
        col(Escalation.project_id).in_(ids_param()), col(Escalation.state).in_(ids_param("states"))
    )
    return query.order_by(Escalation.project_id, Escalation.seq).limit(bindparam("limit"))


def listing(db: Session, project_ids: Sequence[int], states: Sequence[str], limit: int
            ) -> Sequence[Escalation]:
    values = {"ids": list(project_ids), "states": list(states), "limit": limit}
    return db.exec(_listing(), params=values).all()


def count_open(db: Session, project_id: int) -> int:
    query = select(func.count()).select_from(Escalation).where(
        Escalation.project_id == project_id, col(Escalation.state).in_(OPEN_STATES)
    )
    return db.exec(query).one()


def open_for_items(db: Session, item_ids: Sequence[int]) -> Sequence[Escalation]:
    if not item_ids:
        return []
    query = select(Escalation).where(
        col(Escalation.item_id).in_(set(item_ids)), col(Escalation.state).in_(OPEN_STATES)
    )
    return db.exec(query.order_by(Escalation.seq)).all()


def open_for_subjects(db: Session, kind: str, ids: Sequence[int]) -> Sequence[Escalation]:
    if not ids:
        return []
    query = select(Escalation).where(
        Escalation.subject_kind == kind, col(Escalation.subject_id).in_(set(ids)),
        col(Escalation.state).in_(OPEN_STATES),
    )
    return db.exec(query.order_by(Escalation.seq)).all()


def lapsed(db: Session, zone: str, calendar: str, before: date,
           project_ids: Sequence[int] | None = None) -> Sequence[tuple[Escalation, Project]]:
    """Acknowledged records of one timezone/calendar group whose ETA is before `before` (of
    its projects `project_ids` only, when given)."""
    query = (
        select(Escalation, Project)
        .join(Project, col(Project.id) == col(Escalation.project_id))
        .where(
            Escalation.state == "acknowledged",
            col(Escalation.eta) < before,
            Project.timezone == zone,
            Project.calendar == calendar,
        )
    )
    if project_ids is not None:
        query = query.where(col(Escalation.project_id).in_(project_ids))
    return db.exec(query.order_by(Escalation.id)).all()


def take_renotify_slots(db: Session, records: Sequence[Escalation], now: datetime) -> set[int]:
    """Compare-and-set, CHUNK records a statement: the ids whose next renotify slot this
    process takes (another process may have taken some of them first)."""
    table = Escalation.__table__  # type: ignore[attr-defined]
    taken: set[int] = set()
    for start in range(0, len(records), CHUNK):
        wanted = [(r.id, r.renotified, r.level) for r in records[start : start + CHUNK]]
        statement = (
            update(table)
            .where(tuple_(table.c.id, table.c.renotified, table.c.level).in_(wanted))
            .values(renotified=table.c.renotified + 1, last_notified_at=now)
            .returning(table.c.id)
        )
        taken.update(db.connection().execute(statement).scalars())
    return taken
