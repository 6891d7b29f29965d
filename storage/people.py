"""People and departments (organisation-wide)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Department, History, Person
from storage.names import name_key, shown_name


def by_platform_id(db: Session, platform: str, user_id: str) -> Person | None:
    query = select(Person).where(Person.platform == platform, Person.user_id == user_id)
    return db.exec(query).first()


def by_name(db: Session, platform: str, name: str) -> Sequence[Person]:
    query = select(Person).where(Person.platform == platform, Person.name_key == name_key(name))
    return db.exec(query.order_by(Person.id).limit(10)).all()


def ensure(db: Session, platform: str, user_id: str, display_name: str | None) -> Person:
    """The person with this platform id, created (or renamed) as needed."""
    person = by_platform_id(db, platform, user_id)
    shown = shown_name(display_name or user_id).strip()[:80] or shown_name(user_id)
    if person is None:
        person = Person(
            platform=platform, user_id=user_id, display_name=shown, name_key=name_key(shown)
        )
        try:
            with db.begin_nested():  # two first messages from one person may race
                db.add(person)
                db.flush()
        except IntegrityError:
            person = by_platform_id(db, platform, user_id)
            if person is None:
                raise
    elif display_name and person.display_name != shown:
        person.display_name, person.name_key = shown, name_key(shown)
        db.add(person)
    return person


def by_ids(db: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {p.id: p for p in db.exec(select(Person).where(col(Person.id).in_(wanted))).all()}


def department(db: Session, name: str) -> Department | None:
    query = select(Department).where(Department.name_key == name_key(name))
    return db.exec(query).first()


def departments(db: Session) -> Sequence[Department]:
    return db.exec(select(Department).order_by(Department.name)).all()


def departments_by_ids(db: Session, ids: Iterable[int | None]) -> dict[int, Department]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = select(Department).where(col(Department.id).in_(wanted))
    return {d.id: d for d in db.exec(query).all()}


def department_creator(db: Session, dept_id: int) -> int | None:
    """Who created the department (its `created` history entry)."""
    query = select(History.actor_id).where(
        History.entity == "dept", History.entity_id == dept_id, History.field == "created"
    )
    return db.exec(query.limit(1)).first()


def add_department(db: Session, name: str, head_id: int | None) -> Department:
    dept = Department(name=name.strip(), head_id=head_id)
    db.add(dept)
    db.flush()
    return dept
