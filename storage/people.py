"""People and departments (organisation-wide)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import Department, History, Person
from storage.names import name_key, shown_name
from storage.prepared import rows_in

_FOUND = "people.by_platform_id"  # Session.info: (platform, user id) -> person
_BY_ID = "people.by_id"  # Session.info: person id -> person


@cache  # the hot statements are built once, their values bound at each run (storage/windows.py)
def _by_platform_id() -> SelectOfScalar[Person]:
    return select(Person).where(
        Person.platform == bindparam("platform"), Person.user_id == bindparam("user_id")
    )


def by_platform_id(db: Session, platform: str, user_id: str) -> Person | None:
    """The person, asked once per session once found (a command asks it to choose its
    language and again for its caller; a person is never deleted)."""
    known = db.info.setdefault(_FOUND, {})
    if (platform, user_id) not in known:
        values = {"platform": platform, "user_id": user_id}
        found = db.exec(_by_platform_id(), params=values).first()
        if found is None:
            return None
        remember(db, found)
    return known[platform, user_id]


def remembered(db: Session) -> Mapping[tuple[str, str], Person]:
    """The people this session found by (platform, user id) so far."""
    return db.info.get(_FOUND, {})


def remember(db: Session, person: Person) -> None:
    """What `by_platform_id` and `by_ids` answer for this person in this session."""
    db.info.setdefault(_FOUND, {})[person.platform, person.user_id] = person
    db.info.setdefault(_BY_ID, {})[person.id] = person


def remember_all(db: Session, found: Iterable[Person]) -> None:
    """`remember` for each (people read along with other rows)."""
    for person in found:
        remember(db, person)


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
            remember(db, person)
        except IntegrityError:
            person = by_platform_id(db, platform, user_id)
            if person is None:
                raise
    elif display_name and person.display_name != shown:
        person.display_name, person.name_key = shown, name_key(shown)
        db.add(person)
    return person


def by_ids(db: Session, ids: Iterable[int | None]) -> dict[int, Person]:
    """People by id; those this session remembers (found by platform id, or read along
    with items and topics: `remember_all`) are not read again. The objects kept are the
    ones the session would hand out, changes included; a person is never deleted."""
    known = db.info.get(_BY_ID, {})
    wanted = {i for i in ids if i is not None}
    found = {p.id: p for p in rows_in(db, Person, "id", wanted - known.keys())}
    found.update((i, known[i]) for i in wanted & known.keys())
    return found


def department(db: Session, name: str) -> Department | None:
    query = select(Department).where(Department.name_key == name_key(name))
    return db.exec(query).first()


def departments(db: Session) -> Sequence[Department]:
    return db.exec(select(Department).order_by(Department.name)).all()


def departments_by_ids(db: Session, ids: Iterable[int | None]) -> dict[int, Department]:
    return {d.id: d for d in rows_in(db, Department, "id", ids)}


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
