"""Projects, their channel bindings, memberships and KPIs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from storage import people
from storage.models import ChannelBinding, Kpi, KpiValue, Membership, Person, Project
from storage.names import name_key
from storage.prepared import rows_in

_BOUND = "projects.by_channel"  # Session.info: (platform, channel id) -> bound project
_MINE = "projects.projects_of"  # Session.info: person id -> their projects
_MEMBER = "projects.membership"  # Session.info: (project id, person id) -> read ahead


def by_key(db: Session, key: str) -> Project | None:
    return db.exec(select(Project).where(func.upper(Project.key) == key.upper())).first()


@cache  # the statements every command runs are built once, their values bound at each run
def _by_channel() -> SelectOfScalar[Project]:
    return (
        select(Project)
        .join(ChannelBinding, col(ChannelBinding.project_id) == col(Project.id))
        .where(
            ChannelBinding.platform == bindparam("platform"),
            ChannelBinding.channel_id == bindparam("channel_id"),
        )
    )


@cache
def _projects_of() -> Select[tuple[Project, Membership]]:
    return (
        select(Project, Membership)
        .join(Membership, col(Membership.project_id) == col(Project.id))
        .where(Membership.person_id == bindparam("person_id"))
        .order_by(Project.key)
    )


def remember_channel(db: Session, platform: str, channel_id: str, project: Project | None
                     ) -> None:
    """What `by_channel` answers in this session (read ahead by storage/opening.py)."""
    db.info.setdefault(_BOUND, {})[platform, channel_id] = project


def remember_membership(db: Session, project_id: int, person_id: int,
                        found: Membership | None) -> None:
    """What the next `membership` of these two answers (read ahead by storage/opening.py)."""
    db.info.setdefault(_MEMBER, {})[project_id, person_id] = found


def by_channel(db: Session, platform: str, channel_id: str) -> Project | None:
    """The project bound to the channel; asked once per session (a command asks it to
    choose its language and again to choose its project), until a binding changes."""
    known = db.info.setdefault(_BOUND, {})
    if (platform, channel_id) not in known:
        values = {"platform": platform, "channel_id": channel_id}
        known[platform, channel_id] = db.exec(_by_channel(), params=values).first()
    return known[platform, channel_id]


def next_key(db: Session) -> str:
    """`P<n>` one past the highest numeric project key."""
    keys = db.exec(select(Project.key).where(col(Project.key).like("P%"))).all()
    numbers = [int(k[1:]) for k in keys if k[1:].isdigit()]
    return f"P{max(numbers, default=0) + 1}"


def calendars(db: Session, project_ids: set[int]) -> dict[int, str]:
    """Each project's calendar name: from the projects this session holds already, the
    rest in one query."""
    held = {pid: _held(db, pid) for pid in project_ids}
    found = {pid: p.calendar for pid, p in held.items() if p is not None}
    missing = project_ids - found.keys()
    if missing:
        query = select(Project.id, Project.calendar).where(col(Project.id).in_(missing))
        found.update(dict(db.exec(query).all()))
    return found


def create(db: Session, project: Project) -> Project:
    db.add(project)
    db.flush()
    return project


def bindings(db: Session, project_id: int) -> Sequence[ChannelBinding]:
    query = select(ChannelBinding).where(ChannelBinding.project_id == project_id)
    return db.exec(query.order_by(ChannelBinding.id)).all()


def bind(db: Session, project_id: int, platform: str, channel_id: str, name: str | None) -> None:
    db.info.pop(_BOUND, None)
    db.add(
        ChannelBinding(
            project_id=project_id, platform=platform, channel_id=channel_id, channel_name=name
        )
    )
    db.flush()


def unbind(db: Session, platform: str, channel_id: str) -> None:
    db.info.pop(_BOUND, None)
    query = select(ChannelBinding).where(
        ChannelBinding.platform == platform, ChannelBinding.channel_id == channel_id
    )
    for binding in db.exec(query).all():
        db.delete(binding)
    db.flush()


@cache
def _next_item_seq() -> Any:
    return (
        update(Project)
        .where(col(Project.id) == bindparam("project_id"))
        .values(item_seq=Project.item_seq + 1)
        .returning(Project.item_seq)
    )


def next_item_seq(db: Session, project_id: int) -> int:
    """Atomically take the project's next item number (A1, A2, …); the project this
    session holds shows it too."""
    taken = db.exec(_next_item_seq(), params={"project_id": project_id}).scalar_one()
    held = _held(db, project_id)
    if held is not None:
        set_committed_value(held, "item_seq", taken)
    return taken


def _held(db: Session, project_id: int) -> Project | None:
    """The project, if this session holds it already (no statement)."""
    found = db.identity_map.get(identity_key(Project, project_id))
    return found if isinstance(found, Project) else None


def membership(db: Session, project_id: int, person_id: int) -> Membership | None:
    ahead = db.info.get(_MEMBER)
    if ahead and (project_id, person_id) in ahead:  # read ahead, answered once
        return ahead.pop((project_id, person_id))
    return next(iter(rows_in(db, Membership, "project_id", [project_id], person_id=person_id)),
                None)


@cache  # built once (storage/prepared.py)
def _people_in(by: str) -> Select:
    member = and_(col(Membership.person_id) == col(Person.id),
                  col(Membership.project_id) == bindparam("project_id"))
    key = Person.user_id if by == "user_id" else Person.name_key
    return (
        select(Person, Membership).outerjoin(Membership, member)
        .where(Person.platform == bindparam("platform"), key == bindparam("key"))
        .order_by(Person.id).limit(10)
    )


def people_in(db: Session, project_id: int, platform: str, by: str, key: str) -> list[Person]:
    """The people `people.by_platform_id` (`by` "user_id") or `people.by_name` (`by`
    "name") finds, each with its membership of the project read in the same statement:
    what the next `membership` of the two answers."""
    value = key if by == "user_id" else name_key(key)
    values = {"project_id": project_id, "platform": platform, "key": value}
    found = []
    for person, member in db.exec(_people_in(by), params=values).all():
        people.remember(db, person)
        remember_membership(db, project_id, person.id, member)
        found.append(person)
    return found


def members(db: Session, project_id: int) -> Sequence[tuple[Membership, Person]]:
    query = (
        select(Membership, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(Membership.project_id == project_id)
        .order_by(Person.display_name)
    )
    return db.exec(query).all()


def with_role(db: Session, project_id: int, role: str) -> Sequence[Membership]:
    query = select(Membership).where(Membership.project_id == project_id, Membership.role == role)
    return db.exec(query).all()


def newest_bound_owner(db: Session) -> tuple[ChannelBinding, Person] | None:
    """The newest project's channel and process owner (start-up warm-up, bot/warmup.py)."""
    query = (
        select(ChannelBinding, Person)
        .join(Membership, col(Membership.project_id) == col(ChannelBinding.project_id))
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(Membership.role == "process-owner")
        .order_by(col(ChannelBinding.project_id).desc())
        .limit(1)
    )
    found = db.exec(query).first()
    return (found[0], found[1]) if found else None


def projects_of(db: Session, person_id: int) -> Sequence[tuple[Project, Membership]]:
    """The person's projects with their memberships, by key; asked once per session (a
    command in a DM asks it to choose its language and again for its scope), until a
    membership changes."""
    known = db.info.setdefault(_MINE, {})
    if person_id not in known:
        known[person_id] = db.exec(_projects_of(), params={"person_id": person_id}).all()
    return known[person_id]


def set_membership(db: Session, project_id: int, person_id: int, role: str) -> Membership:
    db.info.pop(_MINE, None)
    db.info.pop(_MEMBER, None)
    found = membership(db, project_id, person_id)
    if found is None:
        found = Membership(project_id=project_id, person_id=person_id, role=role)
    found.role = role
    db.add(found)
    db.flush()
    return found


def kpi(db: Session, project_id: int, name: str) -> Kpi | None:
    query = select(Kpi).where(Kpi.project_id == project_id, Kpi.name_key == name_key(name))
    return db.exec(query).first()


def kpis(db: Session, project_id: int) -> Sequence[Kpi]:
    return db.exec(select(Kpi).where(Kpi.project_id == project_id).order_by(Kpi.id)).all()


def latest_kpi_values(db: Session, kpi_ids: Sequence[int]) -> dict[int, KpiValue]:
    """The newest recorded value per KPI, in one query."""
    if not kpi_ids:
        return {}
    newest = (
        select(KpiValue.kpi_id, func.max(KpiValue.id).label("last_id"))
        .where(col(KpiValue.kpi_id).in_(kpi_ids))
        .group_by(KpiValue.kpi_id)
        .subquery()
    )
    query = select(KpiValue).join(newest, col(KpiValue.id) == newest.c.last_id)
    return {v.kpi_id: v for v in db.exec(query).all()}


def record_kpi(db: Session, kpi_id: int, value: float, at: datetime, by: int | None) -> KpiValue:
    row = KpiValue(kpi_id=kpi_id, value=value, recorded_at=at, recorded_by=by)
    db.add(row)
    db.flush()
    return row


def process_owners(db: Session, project_ids: Iterable[int]) -> dict[int, Person]:
    """Each project's process owner, in one query."""
    wanted = set(project_ids)
    if not wanted:
        return {}
    query = (
        select(Membership.project_id, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(col(Membership.project_id).in_(wanted), Membership.role == "process-owner")
    )
    return dict(db.exec(query).all())
