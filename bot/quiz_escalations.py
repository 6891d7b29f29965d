"""A quiz deadline as an escalation record: one per (assignment, department), at the
`dept-head` level, addressed to the department's head (the process owner when the
department has no head, with the reason). Created by the quiz job on the first working
day after the due date (ladder key `quiz:<assignment>:<dept>`, unique, so once across
restarts and replicas); resolved ("all passed") as soon as every assignee of that
department has passed, or at the latest by the next quiz job run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.ladder import resolve
from storage import escalations, people, quizzes
from storage.escalations import Escalation
from storage.models import Person
from storage.quizzes import QuizAssignee, QuizAssignment

LEVEL = "dept-head"
ALL_PASSED = "all-passed"


def ladder_key(assignment_id: int, dept_id: int | None) -> str:
    return f"quiz:{assignment_id}:{dept_id or 0}"


def raise_record(db: Session, project_id: int, assignment_id: int, dept_id: int | None,
                 target: Person, why: str | None, now: datetime) -> Escalation:
    """The (assignment, department) record, created and noted as sent to `target` once."""
    key = ladder_key(assignment_id, dept_id)
    found = escalations.by_ladder_keys(db, [key]).get(key)
    if found is not None:
        return found
    seq = escalations.take_seqs(db, {project_id: 1})[project_id]
    record = escalations.add(db, Escalation(
        project_id=project_id, seq=seq, subject_kind="quiz", subject_id=assignment_id,
        ladder_key=key, level=LEVEL, reason="quiz", target_dept_id=dept_id,
        created_at=now, last_notified_at=now))
    escalations.event(db, record, "raised", now, level=LEVEL)
    escalations.event(db, record, "notified", now, level=LEVEL, person_id=target.id, note=why)
    return record


def _all_passed(assignees: Sequence[QuizAssignee], dept_id: int | None) -> bool:
    return all(a.passed for a in assignees if a.department_id == dept_id)


def settle(db: Session, assignee: QuizAssignee, now: datetime) -> None:
    """After `assignee` passed: resolve its department's open record if all have passed."""
    key = ladder_key(assignee.assignment_id, assignee.department_id)
    record = escalations.by_ladder_keys(db, [key]).get(key)
    if record is None or record.state not in escalations.OPEN_STATES:
        return
    others = quizzes.assignees(db, [assignee.assignment_id])
    if _all_passed([a for a in others if a.id != assignee.id], assignee.department_id):
        _close(db, record, now)


def settle_all(db: Session, now: datetime) -> int:
    """The job's pass: every open quiz record whose department has all passed (2 queries)."""
    records = escalations.open_quiz_records(db)
    if not records:
        return 0
    found = quizzes.assignees(db, {r.subject_id for r in records if r.subject_id})
    closed = 0
    for record in records:
        mine = [a for a in found if a.assignment_id == record.subject_id]
        if _all_passed(mine, record.target_dept_id):
            _close(db, record, now)
            closed += 1
    return closed


def _close(db: Session, record: Escalation, now: datetime) -> None:
    resolve(db, record, ALL_PASSED, now, None)
    escalations.event(db, record, "resolved", now, note=ALL_PASSED)


def subjects(db: Session, records: Sequence[Escalation]) -> dict[int, dict[str, Any]]:
    """What each quiz record is about, for list rows: the quiz key and title, the department."""
    wanted = [r for r in records if r.subject_kind == "quiz" and r.subject_id]
    if not wanted:
        return {}
    query = select(QuizAssignment).where(
        col(QuizAssignment.id).in_({r.subject_id for r in wanted}))
    assignments = {a.id: a for a in db.exec(query).all()}
    banks = quizzes.banks_by_ids(db, {a.bank_id for a in assignments.values()})
    depts = people.departments_by_ids(db, {r.target_dept_id for r in wanted})
    out = {}
    for record in wanted:
        assignment = assignments.get(record.subject_id or 0)
        bank = banks.get(assignment.bank_id) if assignment else None
        dept = depts.get(record.target_dept_id or 0)
        out[record.id or 0] = {"key": bank.key if bank else "?",
                               "title": bank.title if bank else "",
                               "department": dept.name if dept else None}
    return out
