"""A quiz deadline as an escalation record: one per (assignment, department), at the
`dept-head` level, addressed to the department's head (the process owner when the
department has no head, with the reason). Created by the quiz job on the first working
day after the due date (ladder key `quiz:<assignment>:<dept>`, unique, so once across
restarts and replicas); resolved ("all passed") as soon as every assignee of that
department has passed, or at the latest by the next quiz job run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, col, select

from bot.ladder import resolve
from storage import escalation_sets, escalations, quizzes
from storage.escalations import Escalation
from storage.models import Department, Person
from storage.quizzes import QuizAssignee, QuizAssignment, QuizBank

LEVEL = "dept-head"
ALL_PASSED = "all-passed"


def ladder_key(assignment_id: int, dept_id: int | None) -> str:
    return f"quiz:{assignment_id}:{dept_id or 0}"


@dataclass(frozen=True)
class Wanted:
    """A record the quiz job needs: its assignment and department, and whom it tells."""

    project_id: int
    assignment_id: int
    dept_id: int | None
    target: Person
    why: str | None  # "no_head" when it goes to the process owner


def raise_records(db: Session, wanted: Sequence[Wanted], now: datetime) -> dict[str, Any]:
    """Each wanted record by ladder key: the one that exists, or created and noted as sent
    to its target. A few statements for all of them (numbered in the order given)."""
    keys = [ladder_key(w.assignment_id, w.dept_id) for w in wanted]
    found: dict[str, Any] = dict(escalations.by_ladder_keys(db, keys))
    new = [(w, key) for w, key in zip(wanted, keys, strict=True) if key not in found]
    counts = Counter(w.project_id for w, _ in new)
    last = escalations.take_seqs(db, dict(counts))
    seqs = {pid: last[pid] - n for pid, n in counts.items()}  # the number before the first
    rows = []
    for w, key in new:
        seqs[w.project_id] += 1
        rows.append({
            "project_id": w.project_id, "seq": seqs[w.project_id], "subject_kind": "quiz",
            "subject_id": w.assignment_id, "ladder_key": key, "level": LEVEL, "level_days": 0,
            "reason": "quiz", "target_dept_id": w.dept_id, "state": "open", "renotified": 0,
            "created_at": now, "last_notified_at": now})
    ids = escalations.insert_records(db, rows)
    events: list[dict] = []
    for (w, key), row in zip(new, rows, strict=True):
        record = SimpleNamespace(**row, id=ids[key])
        escalations.event(db, record, "raised", now, events, level=LEVEL)
        escalations.event(db, record, "notified", now, events, level=LEVEL,
                          person_id=w.target.id, note=w.why)
        found[key] = record
    escalations.add_events(db, events)
    return found


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


def settle_all(db: Session, now: datetime, created_since: datetime | None = None,
               group: tuple[str, str] | None = None) -> int:
    """The job's pass: the open quiz records whose department has all passed (one query
    finds them; the others are not read), of those created since `created_since` or of
    the projects of `group` (timezone, calendar) when given. `settle` closes a record
    when its last assignee passes; this pass closes one raised by a morning sweep while
    that pass was being committed, which saw no record yet."""
    records = escalation_sets.quiz_records_all_passed(db, created_since, group)
    for record in records:
        _close(db, record, now)
    return len(records)


def _close(db: Session, record: Escalation, now: datetime) -> None:
    resolve(db, record, ALL_PASSED, now, None)
    escalations.event(db, record, "resolved", now, note=ALL_PASSED)


def quiz_records(records: Sequence[Escalation]) -> list[Escalation]:
    return [r for r in records if r.subject_kind == "quiz" and r.subject_id]


def assignments_of(db: Session, records: Sequence[Escalation]
                   ) -> dict[int, tuple[QuizAssignment, QuizBank]]:
    """The assignment and quiz of each quiz record's subject, in one statement."""
    wanted = {r.subject_id for r in quiz_records(records)}
    if not wanted:
        return {}
    query = (select(QuizAssignment, QuizBank)
             .join(QuizBank, col(QuizBank.id) == col(QuizAssignment.bank_id))
             .where(col(QuizAssignment.id).in_(wanted)))
    return {a.id: (a, b) for a, b in db.exec(query).all()}


def subjects(records: Sequence[Escalation], assignments: dict[int, tuple[QuizAssignment, QuizBank]],
             depts: dict[int, Department]) -> dict[int, dict[str, Any]]:
    """What each quiz record is about, for list rows: the quiz key and title, the department
    (`assignments_of`; the records' target departments)."""
    out = {}
    for record in quiz_records(records):
        found = assignments.get(record.subject_id or 0)
        bank = found[1] if found else None
        dept = depts.get(record.target_dept_id or 0)
        out[record.id or 0] = {"key": bank.key if bank else "?",
                               "title": bank.title if bank else "",
                               "department": dept.name if dept else None}
    return out
