"""Question banks: what a bank file must hold, checked field by field, and storing it.

A source (bot/quiz_files.py) hands over the bank's fields and its questions as read,
with a `where` that names the line (YAML) or row (xlsx) of any field. `check` reports
every problem it finds, each with that place and the question's number; a bank is
stored only when there is none (`store`), all of it in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import quizzes
from storage.quizzes import QuizBank, QuizQuestion

TYPES = ("single", "multiple", "true_false")
ROLES = ("process-owner", "lead", "member", "viewer")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LETTERS = "ABCDEFGH"
MAX_OPTIONS = len(LETTERS)
MAX_QUESTIONS = 200
BANK_FIELDS = ("key", "title", "version", "pass_mark", "time_limit_minutes", "attempts",
               "shuffle", "questions")
QUESTION_FIELDS = ("text", "type", "options", "answer", "explain", "departments", "roles")
TRUE_WORDS = {"true": True, "false": False, "对": True, "错": False, "t": True, "f": False,
              "正确": True, "错误": False, "yes": True, "no": False}
SPLIT = re.compile(r"[\s,，、;；]+")

Path = tuple[object, ...]


@dataclass(frozen=True)
class Problem:
    place: str  # "line" or "row"
    at: int
    question: int | None  # 1-based, None for the bank's own fields
    key: str  # catalogue key under quiz_import.
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class QuestionSpec:
    number: int
    text: str
    type: str
    options: list[str]
    answer: str  # "B", "A,C", "true", "false"
    explain: str | None
    departments: list[str]
    roles: list[str]


@dataclass
class BankSpec:
    key: str
    title: str
    version: int
    pass_mark: int
    time_limit_minutes: int
    attempts: int
    shuffle: bool
    questions: list[QuestionSpec]


@dataclass
class RawBank:
    """A bank as read: fields and questions, and where each came from."""

    fields: dict[str, object]
    questions: list[dict[str, object]]
    where: Callable[[Path], tuple[str, int]]
    found: list[Problem] = field(default_factory=list)  # what the reader itself found


def letters_of(raw: object) -> list[str] | None:
    """`B`, `A C`, `AC`, `A,C` or `[A, C]` as letters; None when it is none of these."""
    parts = [str(p) for p in raw] if isinstance(raw, list) else SPLIT.split(str(raw).strip())
    letters: list[str] = []
    for part in (p.strip().upper() for p in parts):
        if not part or any(c not in LETTERS for c in part):
            return None
        letters.extend(part)
    return letters or None


def truth_of(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    return TRUE_WORDS.get(str(raw).strip().lower())


def _names(raw: object) -> list[str] | None:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list):
        names = [str(x).strip() for x in raw]
    elif isinstance(raw, str):
        names = [x.strip() for x in re.split(r"[,，、;；\n]", raw)]
    else:
        return None
    return [n for n in names if n]


class _Checker:
    def __init__(self, raw: RawBank) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def bad(self, path: Path, question: int | None, key: str, **params: object) -> None:
        place, at = self.raw.where(path)
        self.problems.append(Problem(place, at, question, key, params))

    def integer(self, name: str, default: int | None, low: int, high: int) -> int:
        value = self.raw.fields.get(name, default)
        if value is None or value == "":
            if default is None:
                self.bad((name,), None, "missing", field=name)
                return low
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.bad((name,), None, "not_number", field=name, value=value)
            return low
        if not low <= int(value) <= high:
            self.bad((name,), None, "out_of_range", field=name, value=value, low=low, high=high)
        return int(value)

    def bank(self) -> BankSpec:
        fields = self.raw.fields
        for name in fields:
            if name not in BANK_FIELDS:
                self.bad((name,), None, "unknown_field", field=name)
        key = str(fields.get("key") or "").strip().lower()
        if not key:
            self.bad(("key",), None, "missing", field="key")
        elif not KEY.match(key):
            self.bad(("key",), None, "bad_key", value=fields.get("key"))
        title = str(fields.get("title") or "").strip()
        if not title:
            self.bad(("title",), None, "missing", field="title")
        elif len(title) > 200:
            self.bad(("title",), None, "too_long", field="title", limit=200)
        shuffle = fields.get("shuffle", True)
        if shuffle in (None, ""):
            shuffle = True
        elif truth_of(shuffle) is None:
            self.bad(("shuffle",), None, "not_bool", field="shuffle", value=shuffle)
        questions = self.raw.questions
        if not questions:
            self.bad(("questions",), None, "no_questions")
        elif len(questions) > MAX_QUESTIONS:
            self.bad(("questions",), None, "too_many", limit=MAX_QUESTIONS)
        return BankSpec(
            key=key,
            title=title,
            version=self.integer("version", None, 1, 10_000),
            pass_mark=self.integer("pass_mark", None, 0, 100),
            time_limit_minutes=self.integer("time_limit_minutes", 0, 0, 24 * 60),
            attempts=self.integer("attempts", 1, 1, 20),
            shuffle=bool(truth_of(shuffle)),
            questions=[self.question(i, q) for i, q in enumerate(questions)],
        )

    def question(self, index: int, raw: dict[str, object]) -> QuestionSpec:
        n = index + 1
        at: Callable[[str], Path] = lambda name: ("questions", index, name)  # noqa: E731
        for name in raw:
            if name not in QUESTION_FIELDS:
                self.bad(at(name), n, "unknown_field", field=name)
        text = str(raw.get("text") or "").strip()
        if not text:
            self.bad(at("text"), n, "missing", field="text")
        kind = str(raw.get("type") or "").strip().lower()
        if kind not in TYPES:
            self.bad(at("type"), n, "bad_type", value=kind or "-", types=", ".join(TYPES))
        options = self.options(at, n, kind, raw.get("options"))
        answer = self.answer(at, n, kind, options, raw.get("answer"))
        explain = str(raw.get("explain") or "").strip() or None
        departments = _names(raw.get("departments"))
        if departments is None:
            self.bad(at("departments"), n, "bad_list", field="departments")
        roles = _names(raw.get("roles"))
        if roles is None:
            self.bad(at("roles"), n, "bad_list", field="roles")
        for role in roles or []:
            if role not in ROLES:
                self.bad(at("roles"), n, "bad_role", value=role, roles=", ".join(ROLES))
        return QuestionSpec(n, text, kind, options, answer, explain, departments or [],
                            roles or [])

    def options(self, at: Callable[[str], Path], n: int, kind: str, raw: object) -> list[str]:
        if kind == "true_false":
            if raw not in (None, "", []):
                self.bad(at("options"), n, "tf_options")
            return []
        if kind not in TYPES:
            return [str(o) for o in raw] if isinstance(raw, list) else []
        if not isinstance(raw, list) or not all(str(o).strip() for o in raw):
            self.bad(at("options"), n, "bad_options", limit=MAX_OPTIONS)
            return []
        options = [str(o).strip() for o in raw]
        if not 2 <= len(options) <= MAX_OPTIONS:
            self.bad(at("options"), n, "bad_options", limit=MAX_OPTIONS)
        return options

    def answer(
        self, at: Callable[[str], Path], n: int, kind: str, options: list[str], raw: object
    ) -> str:
        if raw is None or raw == "":
            self.bad(at("answer"), n, "missing", field="answer")
            return ""
        if kind == "true_false":
            truth = truth_of(raw)
            if truth is None:
                self.bad(at("answer"), n, "bad_tf_answer", value=raw)
                return ""
            return "true" if truth else "false"
        letters = letters_of(raw)
        if letters is None or kind not in TYPES:
            if kind in TYPES:
                self.bad(at("answer"), n, "bad_answer", value=raw)
            return ""
        allowed = LETTERS[: len(options)]
        outside = [c for c in letters if c not in allowed]
        if outside and options:
            self.bad(at("answer"), n, "answer_not_option", value="".join(outside),
                     last=allowed[-1:])
        if len(set(letters)) != len(letters):
            self.bad(at("answer"), n, "bad_answer", value=raw)
        if kind == "single" and len(letters) != 1:
            self.bad(at("answer"), n, "single_one", value=raw)
        return ",".join(sorted(set(letters)))


def check(raw: RawBank) -> tuple[BankSpec, list[Problem]]:
    checker = _Checker(raw)
    spec = checker.bank()
    return spec, sorted(raw.found + checker.problems, key=lambda p: (p.at, p.question or 0))


def check_new(
    db: Session, spec: BankSpec, where: Callable[[Path], tuple[str, int]]
) -> list[Problem]:
    """Problems only the database can tell: the version must be new for the key."""
    latest = quizzes.latest_bank(db, spec.key) if spec.key else None
    if latest is not None and spec.version <= latest.version:
        place, at = where(("version",))
        return [Problem(place, at, None, "old_version", {"key": spec.key, "version": spec.version,
                                                        "latest": latest.version})]
    return []


def store(db: Session, spec: BankSpec, source: str, now: datetime) -> QuizBank:
    bank = QuizBank(
        key=spec.key,
        version=spec.version,
        title=spec.title,
        pass_mark=spec.pass_mark,
        time_limit_minutes=spec.time_limit_minutes,
        attempts=spec.attempts,
        shuffle=spec.shuffle,
        source=source[:300],
        imported_at=now,
    )
    db.add(bank)
    db.flush()
    for q in spec.questions:
        db.add(
            QuizQuestion(
                bank_id=bank.id,
                number=q.number,
                text=q.text,
                type=q.type,
                options=quizzes.dumps(q.options),
                answer=q.answer,
                explain=q.explain,
                departments=quizzes.dumps(q.departments),
                roles=quizzes.dumps(q.roles),
            )
        )
    db.flush()
    return bank
