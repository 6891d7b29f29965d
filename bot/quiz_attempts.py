"""Taking a quiz: an attempt's shuffle, the question being asked, answers, grading.

The shuffle of an attempt comes from its seed and is stored with it (question order
and each question's option order), so an attempt reads the same after a restart or
on another replica. Answers are kept in the bank's letters; the taker sees letters
of the shuffled order. Nothing here puts an answer key or an explanation into a
question's view: only `result_view`, for a submitted attempt, has them.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import quiz_escalations
from bot.errors import CommandError
from bot.quiz_bank import LETTERS, letters_of, truth_of
from storage import quizzes
from storage.quizzes import QuizAssignee, QuizAttempt, QuizBank, QuizQuestion


def seed_for(assignee_id: int, number: int, now: datetime) -> int:
    return zlib.crc32(f"{assignee_id}:{number}:{now.isoformat()}".encode()) & 0x7FFFFFFF


def shuffled(questions: Sequence[QuizQuestion], seed: int, shuffle: bool) -> list[list[Any]]:
    """[[question id, [option index shown first, …]], …] for one attempt."""
    rng = random.Random(seed)
    order = list(questions)
    if shuffle:
        rng.shuffle(order)
    result = []
    for q in order:
        indexes = list(range(len(quizzes.loads(q.options) or [])))
        if shuffle:
            rng.shuffle(indexes)
        result.append([q.id, indexes])
    return result


def start(db: Session, assignee: QuizAssignee, bank: QuizBank, number: int,
          now: datetime) -> QuizAttempt:
    ids = quizzes.loads(assignee.questions) or []
    by_id = quizzes.questions_by_ids(db, ids)
    chosen = [by_id[i] for i in ids if i in by_id]
    seed = seed_for(assignee.id, number, now)
    limit = bank.time_limit_minutes
    attempt = QuizAttempt(
        assignee_id=assignee.id,
        number=number,
        seed=seed,
        order=quizzes.dumps(shuffled(chosen, seed, bank.shuffle)),
        started_at=now,
        deadline=now + timedelta(minutes=limit) if limit else None,
    )
    db.add(attempt)
    db.flush()
    return attempt


def order_of(attempt: QuizAttempt) -> list[list[Any]]:
    return quizzes.loads(attempt.order) or []


def expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now >= attempt.deadline


def question_view(db: Session, attempt: QuizAttempt, bank: QuizBank,
                  now: datetime) -> dict[str, Any]:
    """What the taker sees of the question being asked: never its answer or explanation."""
    order = order_of(attempt)
    qid, indexes = order[attempt.position]
    question = quizzes.questions_by_ids(db, [qid])[qid]
    options = quizzes.loads(question.options) or []
    left = None
    if attempt.deadline is not None:
        left = max(1, -int(-(attempt.deadline - now).total_seconds() // 60))
    return {
        "key": bank.key,
        "title": bank.title,
        "n": attempt.position + 1,
        "total": len(order),
        "type": question.type,
        "text": question.text,
        "options": [{"letter": LETTERS[i], "text": options[o]} for i, o in enumerate(indexes)],
        "picked": attempt.picked,
        "minutes_left": left,
        "attempt": attempt.number,
    }


def parse_answer(kind: str, shown: int, raw: str) -> str:
    """A typed or clicked answer, as shown letters ("A,C") or "true"/"false"."""
    if kind == "true_false":
        truth = truth_of(raw)
        if truth is None:
            raise CommandError("quiz.answer_tf")
        return "true" if truth else "false"
    letters = letters_of(raw)
    allowed = LETTERS[:shown]
    if letters is None or any(c not in allowed for c in letters):
        raise CommandError("quiz.answer_letters", last=allowed[-1])
    if kind == "single" and len(set(letters)) != 1:
        raise CommandError("quiz.answer_one")
    return ",".join(sorted(set(letters)))


def to_bank_letters(shown_answer: str, indexes: list[int]) -> str:
    if shown_answer in ("true", "false"):
        return shown_answer
    return ",".join(sorted(LETTERS[indexes[LETTERS.index(c)]] for c in shown_answer.split(",")))


def record(db: Session, attempt: QuizAttempt, kind: str, raw: str) -> None:
    """Store the answer to the question being asked and move to the next one."""
    qid, indexes = order_of(attempt)[attempt.position]
    shown = parse_answer(kind, len(indexes), raw)
    answers = quizzes.loads(attempt.answers) or {}
    answers[str(qid)] = to_bank_letters(shown, indexes)
    attempt.answers = quizzes.dumps(answers)
    attempt.position += 1
    attempt.picked = ""
    db.add(attempt)


def toggle(db: Session, attempt: QuizAttempt, letter: str, shown: int) -> None:
    letter = letter.strip().upper()
    if len(letter) != 1 or letter not in LETTERS[:shown]:
        raise CommandError("quiz.answer_letters", last=LETTERS[shown - 1])
    picked = set(attempt.picked.split(",")) - {""}
    picked ^= {letter}
    attempt.picked = ",".join(sorted(picked))
    db.add(attempt)


def finish(db: Session, attempt: QuizAttempt, assignee: QuizAssignee, bank: QuizBank,
           now: datetime) -> None:
    """Grade the attempt as it stands (unanswered questions are wrong)."""
    order = order_of(attempt)
    by_id = quizzes.questions_by_ids(db, [qid for qid, _ in order])
    answers = quizzes.loads(attempt.answers) or {}
    right = sum(1 for qid, _ in order if answers.get(str(qid)) == by_id[qid].answer)
    attempt.score = round(100 * right / len(order)) if order else 0
    attempt.passed = attempt.score >= bank.pass_mark
    end = now if attempt.deadline is None else min(now, attempt.deadline)
    attempt.submitted_at = end
    if attempt.passed:
        assignee.passed = True
        db.add(assignee)
        quiz_escalations.settle(db, assignee, now)
    db.add(attempt)


def _shown_answer(answer: str, indexes: list[int], options: list[str]) -> list[dict[str, str]]:
    if answer in ("true", "false"):
        return [{"letter": "", "text": answer}]
    position = {o: i for i, o in enumerate(indexes)}
    letters = [LETTERS.index(c) for c in answer.split(",") if c]
    return sorted(
        ({"letter": LETTERS[position[b]], "text": options[b]} for b in letters),
        key=lambda x: x["letter"],
    )


def result_view(db: Session, attempt: QuizAttempt, bank: QuizBank) -> dict[str, Any]:
    """A submitted attempt: score, pass or fail, and each missed question with its key."""
    order = order_of(attempt)
    by_id = quizzes.questions_by_ids(db, [qid for qid, _ in order])
    answers = quizzes.loads(attempt.answers) or {}
    missed = []
    for n, (qid, indexes) in enumerate(order, start=1):
        q = by_id[qid]
        given = answers.get(str(qid))
        if given == q.answer:
            continue
        options = quizzes.loads(q.options) or []
        missed.append({
            "n": n,
            "text": q.text,
            "type": q.type,
            "right": _shown_answer(q.answer, indexes, options),
            "given": _shown_answer(given, indexes, options) if given else [],
            "explain": q.explain,
        })
    return {
        "key": bank.key,
        "title": bank.title,
        "score": attempt.score,
        "pass_mark": bank.pass_mark,
        "passed": attempt.passed,
        "total": len(order),
        "right": len(order) - len(missed),
        "missed": missed,
        "attempt": attempt.number,
        "attempts": bank.attempts,
        "left": max(0, bank.attempts - attempt.number),
    }
