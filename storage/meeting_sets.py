"""Meetings and agenda items read by set for many projects at once (the digest's and the
meeting job's)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage import people
from storage.digest_sets import chunks
from storage.items import ACTIVE
from storage.meetings import AUTO_CLOSED, ENDED, NOT_HELD, QUEUED, AgendaTopic, Meeting, MeetingSlot
from storage.models import ActionItem, Person
from storage.windows import Sections, ids, owners

OVER = (ENDED, AUTO_CLOSED, NOT_HELD)
CHUNK = 200  # meetings inserted per statement


def meetings_on(db: Session, wanted: Sequence[tuple[int, date]]) -> dict[tuple[int, date], Meeting]:
    """The meeting of each (project id, date) in `wanted` that exists, in one query."""
    if not wanted:
        return {}
    projects = {pid for pid, _ in wanted}
    days = {day for _, day in wanted}
    query = select(Meeting).where(
        col(Meeting.project_id).in_(projects), col(Meeting.occurs_on).in_(days)
    )
    keys = set(wanted)
    rows = ((m.project_id, m.occurs_on, m) for m in db.exec(query).all())
    return {(pid, day): m for pid, day, m in rows if (pid, day) in keys}


def over_on(db: Session, wanted: Sequence[tuple[int, date]]) -> set[tuple[int, date]]:
    """Which of (project id, date) had their meeting take place (or recorded as not held)."""
    return {key for key, m in meetings_on(db, wanted).items() if m.state in OVER}


Ranked = dict[int, tuple[list[ActionItem], int]]  # project id -> (first rows, how many)


def agenda_items(
    db: Session, todays: Mapping[int, date], untils: Mapping[int, date], limit: int
) -> tuple[Ranked, Ranked, Ranked]:
    """The agenda's item sections of each project, soonest due first: overdue (any active
    status), blocked, and open or in progress due from today until the day before the
    next meeting; the first `limit` of each and how many. One statement for all three,
    per distinct (today, until) (projects in other timezones, slots on other days) and
    CHUNK projects."""
    by_span: dict[tuple[date, date], list[int]] = defaultdict(list)
    for pid, today in todays.items():
        by_span[(today, untils[pid])].append(pid)
    found: dict[str, Ranked] = {"overdue": {}, "blocked": {}, "due_soon": {}}
    for (today, until), project_ids in by_span.items():
        for chunk in chunks(project_ids):
            ranked = AGENDA.run(db, limit, ids=chunk, today=today, until=until)
            for (pid, section), rows in ranked.items():
                found[section][pid] = rows
    return found["overdue"], found["blocked"], found["due_soon"]


AGENDA = Sections(ActionItem, lambda: {
    "overdue": [col(ActionItem.project_id).in_(ids()), col(ActionItem.status).in_(ACTIVE),
                col(ActionItem.due_date) < bindparam("today")],
    "blocked": [col(ActionItem.project_id).in_(ids()), ActionItem.status == "blocked"],
    "due_soon": [col(ActionItem.project_id).in_(ids()),
                 col(ActionItem.status).in_(("open", "in_progress")),
                 col(ActionItem.due_date) >= bindparam("today"),
                 col(ActionItem.due_date) <= bindparam("until")],
}, lambda: (ActionItem.due_date, ActionItem.seq), along=owners(people.remember_all))


@cache  # built once (storage/prepared.py)
def _queued_topics() -> Any:
    presenter = col(Person.id) == col(AgendaTopic.presenter_id)
    return (
        select(AgendaTopic, Person).outerjoin(Person, presenter)
        .where(col(AgendaTopic.project_id).in_(ids()), AgendaTopic.state == QUEUED)
        .order_by(AgendaTopic.project_id, AgendaTopic.seq)
    )


def queued_topics(db: Session, project_ids: Sequence[int]) -> list[AgendaTopic]:
    """The projects' queued agenda topics by project and number; their presenters read
    in the same statement (`people.by_ids` finds them). One statement per CHUNK projects."""
    found: list[AgendaTopic] = []
    for chunk in chunks(project_ids):
        rows = db.exec(_queued_topics(), params={"ids": chunk}).all()
        people.remember_all(db, (person for _, person in rows if person is not None))
        found.extend(topic for topic, _ in rows)
    return found


def ensure_meetings(db: Session, rows: Sequence[Meeting]) -> dict[tuple[int, date], Meeting]:
    """`meetings.ensure_meeting` for many: each (project, date)'s meeting, inserted or the one
    another process made; one insert per CHUNK rows and one read."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    values = [row.model_dump(exclude={"id"}) for row in rows]
    for start in range(0, len(values), CHUNK):
        db.exec(dialect.insert(Meeting).values(values[start : start + CHUNK])
                .on_conflict_do_nothing())
    return meetings_on(db, [(row.project_id, row.occurs_on) for row in rows])


def move_slots(db: Session, next_at: Mapping[int, datetime]) -> None:
    """Set each project's slot `next_at` (one executemany)."""
    if not next_at:
        return
    table = MeetingSlot.__table__  # type: ignore[attr-defined]
    statement = (
        update(table).where(table.c.project_id == bindparam("b_pid"))
        .values(next_at=bindparam("b_next"))
    )
    db.connection().execute(statement, [{"b_pid": p, "b_next": at} for p, at in next_at.items()])
