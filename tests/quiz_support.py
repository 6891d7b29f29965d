"""Helpers for the quiz tests: a small bank, importing it, and the right (or a wrong)
answer to the question a person is being asked, read from the stored attempt."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import Clock
from bot.quiz_bank import LETTERS
from bot.quiz_files import import_bank
from storage import quizzes
from storage.models import Person
from storage.quizzes import QuizAttempt, QuizQuestion

BANK = """\
key: tq
title: Launch approval basics
version: 1
pass_mark: 75
time_limit_minutes: 10
attempts: 2
shuffle: true
questions:
  - text: Who reviews first?
    type: single
    options: [Finance, Legal, Quality]
    answer: B
    explain: EXPLAIN-ONE legal goes first.
  - text: Which documents are needed?
    type: multiple
    options: [Manual, Annual report, Checklist, Menu]
    answer: [A, C]
    explain: EXPLAIN-TWO manual and checklist.
  - text: Reviews run in parallel.
    type: true_false
    answer: true
    explain: EXPLAIN-THREE they do.
  - text: Legal asks an outside firm; what then?
    type: single
    options: [Mark the item blocked, Stop everything]
    answer: A
    explain: EXPLAIN-FOUR block with a reason.
    departments: [Legal]
"""
EXPLANATIONS = ("EXPLAIN-ONE", "EXPLAIN-TWO", "EXPLAIN-THREE", "EXPLAIN-FOUR")


def import_text(engine: Engine, clock: Clock, tmp: Path, text: str = BANK,
                name: str = "bank.yaml") -> None:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    result = import_bank(engine, clock, path)
    assert result.problems == [], result.problems


def current(engine: Engine, user_id: str) -> tuple[QuizAttempt, QuizQuestion, list[int]]:
    with Session(engine) as db:
        person = db.exec(select(Person).where(Person.user_id == user_id)).one()
        attempt, _ = quizzes.open_attempts_of(db, person.id)[0]
        qid, indexes = quizzes.loads(attempt.order)[attempt.position]
        return attempt, db.get(QuizQuestion, qid), indexes


def shown(answer: str, indexes: list[int]) -> str:
    if answer in ("true", "false"):
        return answer
    return " ".join(sorted(LETTERS[indexes.index(LETTERS.index(c))] for c in answer.split(",")))


def right(engine: Engine, user_id: str, zh: bool = False) -> str:
    _, question, indexes = current(engine, user_id)
    answer = shown(question.answer, indexes)
    if zh and answer in ("true", "false"):
        return "对" if answer == "true" else "错"
    return answer


def wrong(engine: Engine, user_id: str) -> str:
    _, question, indexes = current(engine, user_id)
    if question.type == "true_false":
        return "false" if question.answer == "true" else "true"
    correct = shown(question.answer, indexes).split()
    other = next(LETTERS[i] for i in range(len(indexes)) if LETTERS[i] not in correct)
    return other


def answer_to(engine: Engine, user_id: str, plan: dict[int, str], zh: bool = False) -> str:
    """The shown answer to the question being asked, from `plan` (question number ->
    bank letters such as "A,C", or "true"/"false"); the right answer when not planned."""
    _, question, indexes = current(engine, user_id)
    answer = shown(plan.get(question.number, question.answer), indexes)
    if zh and answer in ("true", "false"):
        return "对" if answer == "true" else "错"
    return answer


def asked(engine: Engine, user_id: str) -> QuizQuestion:
    return current(engine, user_id)[1]
