"""The digest's item queries across a set of projects: a bounded number of statements
per CHUNK projects, whatever their number, each reading only what it shows.

The first rows of a section per project come from one window query
(storage/windows.py), so a section of 2,000 projects costs one statement, not 2,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, or_
from sqlmodel import Session, SQLModel, col, func, select

from storage import people
from storage.escalations import OPEN_STATES, Escalation
from storage.items import ACTIVE
from storage.meetings import Decision
from storage.models import ActionItem
from storage.prepared import hold, rows_in
from storage.quizzes import QuizAssignee, QuizAssignment, QuizAttempt, QuizBank
from storage.windows import Along, Window, constant, first_per_project, ids, owners

CHUNK = 500  # projects per statement (bounded parameter lists)
SOON_DAYS = 7

Ranked = dict[tuple[int, str], list[ActionItem]]  # (project id, section) -> first rows
Totals = dict[tuple[int, str], int]  # (project id, section) -> how many in all


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def active_sections(db: Session, todays: Mapping[int, date], limit: int) -> tuple[Ranked, Totals]:
    """Per project: its overdue, blocked and due-within-a-week items (each item under one
    heading; blocked first), the first `limit` of each soonest due, and each total.

    One statement per distinct "today" (projects in different timezones) and CHUNK projects.
    """
    by_day: dict[date, list[int]] = defaultdict(list)
    for project_id, today in todays.items():
        by_day[today].append(project_id)
    ranked: Ranked = defaultdict(list)
    totals: Totals = {}
    for today, project_ids in by_day.items():
        soon = today + timedelta(days=SOON_DAYS)
        for chunk in chunks(project_ids):
            found = ACTIVE_SECTIONS.run(db, limit, ids=chunk, today=today, soon=soon)
            for key, (rows, total) in found.items():
                ranked[key], totals[key] = rows, total
    return ranked, totals


def _active_section() -> Any:
    return case(
        (ActionItem.status == "blocked", constant("blocked")),
        (col(ActionItem.due_date) < bindparam("today"), constant("overdue")),
        (col(ActionItem.due_date) <= bindparam("soon"), constant("soon")),
        else_=constant("later"),
    )


ACTIVE_SECTIONS = Window(
    ActionItem,
    lambda: [
        col(ActionItem.project_id).in_(ids()),
        col(ActionItem.status).in_(ACTIVE),
        # items due later than a week are in no section: not read at all
        or_(ActionItem.status == "blocked", col(ActionItem.due_date) <= bindparam("soon")),
    ],
    lambda: (ActionItem.due_date, ActionItem.seq),
    _active_section,
    along=owners(people.remember_all),
)


def done_since(db: Session, sinces: Mapping[int, datetime], limit: int) -> tuple[Ranked, Totals]:
    """Per project: the first `limit` items done after its `since`, newest first, and how
    many in all; section "done".

    ix_item_project_status_done bounds the read by the oldest `since` of the chunk, so the
    cost follows what was done recently, not the projects' whole history.
    """
    ranked: Ranked = defaultdict(list)
    totals: Totals = {}
    for chunk in chunks(list(sinces)):
        floor = min(sinces[p] for p in chunk)
        later = [p for p in chunk if sinces[p] != floor]
        where = [
            col(ActionItem.project_id).in_(chunk),
            ActionItem.status == "done",
            col(ActionItem.done_at) > floor,
        ]
        if later:  # projects whose mark is later than the chunk's oldest
            where.append(
                or_(
                    col(ActionItem.project_id).in_([p for p in chunk if sinces[p] == floor]),
                    *(
                        and_(ActionItem.project_id == p, col(ActionItem.done_at) > sinces[p])
                        for p in later
                    ),
                )
            )
        order = (col(ActionItem.done_at).desc(), ActionItem.seq)
        _ranked_into(db, where, constant("done"), order, limit, ranked, totals)
    return ranked, totals


def _ranked_into(
    db: Session, where: list, section, order, limit: int, ranked: Ranked, totals: Totals
) -> None:
    """Run one window query over items; add its first rows and totals to `ranked`/`totals`."""
    for (project_id, name), (rows, total) in first_per_project(
        db, ActionItem, where, order, limit, section
    ).items():
        ranked[(project_id, name)] = rows
        totals[(project_id, name)] = total


OPEN_ESCALATIONS = Window(
    Escalation,
    lambda: [col(Escalation.project_id).in_(ids()), col(Escalation.state).in_(OPEN_STATES)],
    lambda: (Escalation.seq,),
    along=Along(ActionItem, "item_id", hold),  # their rows name the items (escalation_view)
)


def open_escalations(
    db: Session, project_ids: Sequence[int], limit: int
) -> dict[int, tuple[list[Escalation], int]]:
    """Each project's first `limit` open escalations by number, and how many are open."""
    found: dict[int, tuple[list[Escalation], int]] = {}
    for chunk in chunks(project_ids):
        ranked = OPEN_ESCALATIONS.run(db, limit, ids=chunk)
        found.update({project_id: rows for (project_id, _), rows in ranked.items()})
    return found


def decisions_since(
    db: Session, sinces: Mapping[int, datetime | None], limit: int
) -> dict[int, list[Decision]]:
    """Each project's newest `limit` decisions after its `since` (any, when None)."""
    found: dict[int, list[Decision]] = {}
    for chunk in chunks(list(sinces)):
        marks = [
            and_(Decision.project_id == p, col(Decision.at) > sinces[p])
            if sinces[p] is not None
            else Decision.project_id == p
            for p in chunk
        ]
        where = [col(Decision.project_id).in_(chunk), or_(*marks)]
        ranked = first_per_project(db, Decision, where, (col(Decision.at).desc(),), limit)
        found.update({project_id: rows for (project_id, _), (rows, _n) in ranked.items()})
    return found


def rows_of_projects(db: Session, model: type[SQLModel], project_ids: Sequence[int],
                     **equal: Any) -> list:
    """Every row of `model` (it has a project_id) of the projects whose other columns
    equal `equal`, by primary key."""
    key = tuple(c.name for c in model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    found: list = []
    for chunk in chunks(project_ids):
        found.extend(rows_in(db, model, "project_id", chunk, key, **equal))
    return found


def status_counts(db: Session, project_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Each project's item count per status (read from ix_item_project_status_due alone)."""
    found: dict[int, dict[str, int]] = {pid: {} for pid in project_ids}
    for chunk in chunks(project_ids):
        for project_id, status, count in db.exec(_status_counts(), params={"ids": chunk}).all():
            found[project_id][status] = count
    return found


@cache  # built once (storage/prepared.py)
def _status_counts() -> Any:
    return (
        select(ActionItem.project_id, ActionItem.status, func.count())
        .where(col(ActionItem.project_id).in_(ids()))
        .group_by(ActionItem.project_id, ActionItem.status)
    )


def quiz_assignments(
    db: Session, project_ids: Sequence[int]
) -> list[tuple[QuizAssignment, QuizBank]]:
    """The projects' quiz assignments with their banks, by assignment id."""
    found: list[tuple[QuizAssignment, QuizBank]] = []
    for chunk in chunks(project_ids):
        query = (
            select(QuizAssignment, QuizBank)
            .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
            .where(col(QuizAssignment.project_id).in_(chunk))
        )
        found.extend(db.exec(query.order_by(QuizAssignment.id)).all())
    return found


def quiz_completion(db: Session, assignment_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """Per assignment: how many are assigned, have submitted an attempt, have passed; one
    grouped statement per CHUNK assignments (no assignee or attempt row is loaded)."""
    submitted = (
        select(QuizAttempt.id)
        .where(col(QuizAttempt.assignee_id) == col(QuizAssignee.id),
               col(QuizAttempt.submitted_at).is_not(None))
        .exists()
    )
    found: dict[int, tuple[int, int, int]] = {}
    for chunk in chunks(assignment_ids):
        query = (
            select(QuizAssignee.assignment_id, func.count(),
                   func.sum(case((submitted, 1), else_=0)),
                   func.sum(case((col(QuizAssignee.passed), 1), else_=0)))
            .where(col(QuizAssignee.assignment_id).in_(chunk))
            .group_by(QuizAssignee.assignment_id)
        )
        found.update({aid: (n, done, passed) for aid, n, done, passed in db.exec(query).all()})
    return found
