"""Training quizzes: question banks (organisation-wide, versioned), assignments per
project, each assignee, and their attempts. Lists (options, tags, orders, answers)
are stored as JSON text. Times are aware UTC; due dates are project-local dates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint, bindparam
from sqlmodel import Field, Session, SQLModel, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from storage.models import Department, Person, Project
from storage.prepared import ids_param, rows_in


class QuizBank(SQLModel, table=True):
    """One version of a bank; a new version is a new row, old results keep theirs."""

    __table_args__ = (UniqueConstraint("key", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, index=True)
    version: int
    title: str = Field(max_length=200)
    pass_mark: int  # percent
    time_limit_minutes: int = 0  # 0: no limit
    attempts: int = 1
    shuffle: bool = True
    source: str | None = Field(default=None, max_length=300)
    imported_at: datetime


class QuizQuestion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("bank_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="quizbank.id")
    number: int  # 1-based, as in the file
    text: str = Field(sa_type=Text)
    type: str = Field(max_length=16)  # single | multiple | true_false
    options: str = Field(default="[]", sa_type=Text)  # JSON list of option texts
    answer: str = Field(max_length=40)  # "B", "A,C", "true" or "false"
    explain: str | None = Field(default=None, sa_type=Text)
    departments: str = Field(default="[]", max_length=1000)  # JSON list of names
    roles: str = Field(default="[]", max_length=200)  # JSON list of project roles


class QuizAssignment(SQLModel, table=True):
    __table_args__ = (Index("ix_quizassignment_due", "due_date"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    bank_id: int = Field(foreign_key="quizbank.id")  # the version it was made with
    target: str = Field(max_length=120)  # "@name", "dept <name>" or "all", as assigned
    due_date: date
    created_by: int = Field(foreign_key="person.id")
    created_at: datetime


class QuizAssignee(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("assignment_id", "person_id"),
        Index("ix_quizassignee_passed", "assignment_id", "passed", "department_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="quizassignment.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    questions: str = Field(sa_type=Text)  # JSON list of question ids this person gets
    passed: bool = False  # set when an attempt passes (reminders skip them)


class QuizAttempt(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("assignee_id", "number"),
        Index("ix_quizattempt_open_deadline", "submitted_at", "deadline"),
    )
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int = Field(foreign_key="quizassignee.id", index=True)
    number: int  # 1, 2, … up to the bank's attempts
    seed: int
    order: str = Field(sa_type=Text)  # JSON [[question id, [option indexes as shown]], …]
    answers: str = Field(default="{}", sa_type=Text)  # JSON {question id: "A,C"} (bank letters)
    picked: str = Field(default="", max_length=40)  # shown letters picked so far (buttons)
    position: int = 0  # index into order of the question being asked
    started_at: datetime
    deadline: datetime | None = None
    submitted_at: datetime | None = None
    score: int | None = None  # percent
    passed: bool | None = None


def loads(raw: str | None) -> Any:
    return json.loads(raw) if raw else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@cache  # the statements `quiz status` runs, built once (storage/prepared.py)
def _latest_bank() -> SelectOfScalar[QuizBank]:
    query = select(QuizBank).where(QuizBank.key == bindparam("key"))
    return query.order_by(col(QuizBank.version).desc())


@cache
def _assignments_of() -> Select[tuple[QuizAssignment, QuizBank]]:
    return (
        select(QuizAssignment, QuizBank)
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizAssignment.project_id == bindparam("project_id"),
               QuizBank.key == bindparam("key"))
        .order_by(QuizAssignment.id)
    )


def latest_bank(db: Session, key: str) -> QuizBank | None:
    return db.exec(_latest_bank(), params={"key": key.strip().lower()}).first()


def latest_banks(db: Session) -> Sequence[QuizBank]:
    newest = select(QuizBank.key, func.max(QuizBank.version).label("v")).group_by(QuizBank.key)
    sub = newest.subquery()
    query = select(QuizBank).join(
        sub, (col(QuizBank.key) == sub.c.key) & (col(QuizBank.version) == sub.c.v)
    )
    return db.exec(query.order_by(QuizBank.key)).all()


def questions(db: Session, bank_id: int) -> list[QuizQuestion]:
    query = select(QuizQuestion).where(QuizQuestion.bank_id == bank_id)
    return list(db.exec(query.order_by(QuizQuestion.number)).all())


def questions_by_ids(db: Session, ids: Iterable[int]) -> dict[int, QuizQuestion]:
    return {q.id: q for q in rows_in(db, QuizQuestion, "id", ids)}


def assignments_of(db: Session, project_id: int, key: str) -> list[tuple[QuizAssignment, QuizBank]]:
    values = {"project_id": project_id, "key": key.strip().lower()}
    return list(db.exec(_assignments_of(), params=values).all())


def project_assignments(db: Session, project_id: int) -> list[tuple[QuizAssignment, QuizBank]]:
    query = (
        select(QuizAssignment, QuizBank)
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizAssignment.project_id == project_id)
    )
    return list(db.exec(query.order_by(QuizAssignment.id)).all())


def assignees(db: Session, assignment_ids: Iterable[int]) -> list[QuizAssignee]:
    return list(rows_in(db, QuizAssignee, "assignment_id", assignment_ids))


@cache  # built once (storage/prepared.py)
def _assignees_named() -> Any:
    return (
        select(QuizAssignee, Person, Department, QuizAttempt)
        .join(Person, col(Person.id) == col(QuizAssignee.person_id))
        .outerjoin(Department, col(Department.id) == col(QuizAssignee.department_id))
        .outerjoin(QuizAttempt, col(QuizAttempt.assignee_id) == col(QuizAssignee.id))
        .where(col(QuizAssignee.assignment_id).in_(ids_param()))
        .order_by(QuizAssignee.id, QuizAttempt.number)
    )


Named = tuple[QuizAssignee, Person, Department | None, list[QuizAttempt]]


def assignees_named(db: Session, assignment_ids: Iterable[int]) -> list[Named]:
    """`assignees`, each with the person, the department and the attempts (by number),
    in one statement."""
    wanted = sorted(set(assignment_ids))
    found: dict[int, Named] = {}
    for assignee, person, department, attempt in (
            db.exec(_assignees_named(), params={"ids": wanted}).all() if wanted else []):
        tries = found.setdefault(assignee.id, (assignee, person, department, []))[3]
        if attempt is not None:
            tries.append(attempt)
    return list(found.values())


def mine(
    db: Session, person_id: int, key: str | None = None
) -> list[tuple[QuizAssignee, QuizAssignment, QuizBank]]:
    """The person's assignments (of one key), oldest first."""
    query = (
        select(QuizAssignee, QuizAssignment, QuizBank)
        .join(QuizAssignment, col(QuizAssignment.id) == col(QuizAssignee.assignment_id))
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizAssignee.person_id == person_id)
    )
    if key is not None:
        query = query.where(QuizBank.key == key.strip().lower())
    return list(db.exec(query.order_by(QuizAssignee.id)).all())


def attempts(db: Session, assignee_ids: Iterable[int]) -> list[QuizAttempt]:
    return list(rows_in(db, QuizAttempt, "assignee_id", assignee_ids, ("assignee_id", "number")))


def attempt_for_update(db: Session, attempt_id: int) -> QuizAttempt | None:
    """The attempt, locked for this transaction (two replicas answering at once)."""
    query = select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
    return db.exec(query).first()


def open_attempts_of(db: Session, person_id: int) -> list[tuple[QuizAttempt, QuizBank]]:
    """The person's attempts not yet submitted, newest first."""
    query = (
        select(QuizAttempt, QuizBank)
        .join(QuizAssignee, col(QuizAssignee.id) == col(QuizAttempt.assignee_id))
        .join(QuizAssignment, col(QuizAssignment.id) == col(QuizAssignee.assignment_id))
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizAssignee.person_id == person_id, col(QuizAttempt.submitted_at).is_(None))
    )
    return list(db.exec(query.order_by(col(QuizAttempt.started_at).desc())).all())


def expired_open(db: Session, now: datetime, limit: int) -> Sequence[QuizAttempt]:
    query = select(QuizAttempt).where(
        col(QuizAttempt.submitted_at).is_(None),
        col(QuizAttempt.deadline).is_not(None),
        col(QuizAttempt.deadline) <= now,
    )
    return db.exec(query.order_by(QuizAttempt.id).limit(limit)).all()


def due_between(
    db: Session, timezone: str, calendar: str, dates: Iterable[date]
) -> list[QuizAssignment]:
    """Assignments due on one of `dates`, of projects in one timezone/calendar group."""
    wanted = set(dates)
    if not wanted:
        return []
    query = (
        select(QuizAssignment)
        .join(Project, col(Project.id) == col(QuizAssignment.project_id))
        .where(
            col(QuizAssignment.due_date).in_(wanted),
            Project.timezone == timezone,
            Project.calendar == calendar,
        )
    )
    return list(db.exec(query.order_by(QuizAssignment.id)).all())


def due_in_range(
    db: Session, timezone: str, calendar: str, after: date, until: date
) -> list[QuizAssignment]:
    """Assignments due in (after, until], of projects in one timezone/calendar group."""
    query = (
        select(QuizAssignment)
        .join(Project, col(Project.id) == col(QuizAssignment.project_id))
        .where(
            col(QuizAssignment.due_date) > after,
            col(QuizAssignment.due_date) <= until,
            Project.timezone == timezone,
            Project.calendar == calendar,
        )
    )
    return list(db.exec(query.order_by(QuizAssignment.id)).all())


def people_in_department(db: Session, department_id: int) -> list[Person]:
    """Everyone in the department, organisation-wide (members of a project or not)."""
    query = select(Person).where(Person.department_id == department_id)
    return list(db.exec(query.order_by(Person.id)).all())


def banks_by_ids(db: Session, ids: Iterable[int]) -> dict[int, QuizBank]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {b.id: b for b in db.exec(select(QuizBank).where(col(QuizBank.id).in_(wanted))).all()}


def assignee_context(db: Session, assignee_id: int) -> tuple[QuizAssignee, QuizBank] | None:
    query = (
        select(QuizAssignee, QuizBank)
        .join(QuizAssignment, col(QuizAssignment.id) == col(QuizAssignee.assignment_id))
        .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
        .where(QuizAssignee.id == assignee_id)
    )
    return db.exec(query).first()
