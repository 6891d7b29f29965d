"""Quiz figures for messages, the digest, the jobs and the export: plain data.

Per assignee: started (an attempt exists), completed (an attempt was submitted),
passed, best score (of submitted attempts). Per department: the counts, the average
of completed assignees' best scores, and the most-missed questions of submitted
attempts (unanswered counts as missed) with the wrong answer chosen most often.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.digest_sections import DigestTarget, Sections
from bot.messages import Label, Notice, Target
from bot.quiz_bank import LETTERS
from storage import digest_sets, quizzes
from storage.models import Person
from storage.quizzes import QuizAssignee, QuizAssignment, QuizAttempt, QuizBank, QuizQuestion

MOST_MISSED = 5


@dataclass
class Row:
    assignee: QuizAssignee
    assignment: QuizAssignment
    bank: QuizBank
    person: Person | None
    department: str | None
    tries: list[QuizAttempt]

    @property
    def submitted(self) -> list[QuizAttempt]:
        return [t for t in self.tries if t.submitted_at is not None]

    @property
    def best(self) -> int | None:
        return max((t.score or 0 for t in self.submitted), default=None)


def rows_of(db: Session, pairs: Sequence[tuple[QuizAssignment, QuizBank]]) -> list[Row]:
    """One row per assignee of the given assignments, with their attempts (one query)."""
    by_id = {a.id: (a, b) for a, b in pairs}
    return [
        Row(a, *by_id[a.assignment_id], person, dept.name if dept else None, tries)
        for a, person, dept, tries in quizzes.assignees_named(db, by_id)
    ]


def _option(question: Any, answer: str) -> str | Label:
    if answer in ("true", "false"):
        return Label("quiz_tf", answer)
    options = quizzes.loads(question.options) or []
    return " / ".join(f"{c} {options[LETTERS.index(c)]}" for c in answer.split(",") if c)


def _orders(rows: Sequence[Row]) -> list[tuple[list, dict]]:
    """Each submitted attempt's question order and answers."""
    submitted = [t for row in rows for t in row.submitted]
    return [(quizzes.loads(t.order) or [], quizzes.loads(t.answers) or {}) for t in submitted]


def questions_of(db: Session, rows: Sequence[Row]) -> dict[int, QuizQuestion]:
    """Every question the rows' submitted attempts were asked, by id (one statement)."""
    return quizzes.questions_by_ids(db, {q for order, _ in _orders(rows) for q, _ in order})


def most_missed(
    rows: Sequence[Row], questions: Mapping[int, QuizQuestion], limit: int = MOST_MISSED
) -> list[dict]:
    """The questions the rows' attempts missed most (`questions`: questions_of the rows)."""
    orders = _orders(rows)
    missed: Counter[int] = Counter()
    wrong: dict[int, Counter[str]] = defaultdict(Counter)
    for order, answers in orders:
        for qid, _ in order:
            given = answers.get(str(qid))
            if given != questions[qid].answer:
                missed[qid] += 1
                if given is not None:
                    wrong[qid][given] += 1
    ranked = sorted(
        (qid for qid, count in missed.items() if count),
        key=lambda qid: (-missed[qid], questions[qid].number),
    )
    result = []
    for qid in ranked[:limit]:
        chosen = sorted(((-n, a) for a, n in wrong[qid].items() if n))
        result.append({
            "number": questions[qid].number,
            "text": questions[qid].text,
            "missed": missed[qid],
            "wrong": _option(questions[qid], chosen[0][1]) if chosen else None,
            "wrong_count": -chosen[0][0] if chosen else 0,
        })
    return result


def department_status(db: Session, rows: Sequence[Row]) -> list[dict[str, Any]]:
    groups: dict[str | None, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.department].append(row)
    questions = questions_of(db, rows)
    result = []
    for name in sorted(groups, key=lambda n: (n is None, n or "")):
        members = groups[name]
        scores = [r.best for r in members if r.best is not None]
        result.append({
            "department": name,
            "assigned": len(members),
            "started": sum(1 for r in members if r.tries),
            "completed": sum(1 for r in members if r.submitted),
            "passed": sum(1 for r in members if r.assignee.passed),
            "average": f"{sum(scores) / len(scores):.1f}" if scores else None,
            "missed": most_missed(members, questions),
        })
    return result


def result_rows(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "key": r.bank.key,
            "version": r.bank.version,
            "name": r.person.display_name if r.person else "?",
            "department": r.department,
            "due": r.assignment.due_date,
            "used": len(r.tries),
            "attempts": r.bank.attempts,
            "best": r.best,
            "passed": r.assignee.passed,
            "open": any(t.submitted_at is None for t in r.tries),
        }
        for r in rows
    ]


def digest_quizzes(db: Session, project_id: int) -> dict[str, Any]:
    """The digest's `quizzes` key: completion per quiz (key) of the project."""
    return _completion(db, quizzes.project_assignments(db, project_id))[project_id]


def digest_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """`digest_quizzes` for many projects: the assignments in one query, their counts in one."""
    found = _completion(db, digest_sets.quiz_assignments(db, [t.id for t in targets]))
    return {t.id: found.get(t.id, {"quizzes": []}) for t in targets}


def _completion(db: Session, pairs: Sequence[tuple[QuizAssignment, QuizBank]]
                ) -> dict[int, dict[str, Any]]:
    """Per project of the assignments: per quiz (key) how many were assigned, completed and
    passed, and the latest due date (assignments nobody is assigned to are left out)."""
    counts = digest_sets.quiz_completion(db, [a.id for a, _ in pairs])
    per_key: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for assignment, bank in pairs:
        assigned, completed, passed = counts.get(assignment.id or 0, (0, 0, 0))
        if not assigned:
            continue
        entry = per_key[assignment.project_id].setdefault(bank.key, {
            "key": bank.key, "title": bank.title, "assigned": 0, "completed": 0, "passed": 0,
            "due": assignment.due_date})
        entry["assigned"] += assigned
        entry["completed"] += completed
        entry["passed"] += passed
        entry["due"] = max(entry["due"], assignment.due_date)
    return {pid: {"quizzes": list(keys.values())} for pid, keys in per_key.items()}


def quiz_dm(person: Person, template: str, locale: str, dedupe: str | None,
            data: dict[str, Any]) -> Notice:
    """A DM about a quiz (its data has a `key`, so bot.notices.dm cannot take it)."""
    target = Target(person.platform, user_id=person.user_id)  # type: ignore[arg-type]
    return Notice(target, template, data, locale=locale, dedupe_key=dedupe)
