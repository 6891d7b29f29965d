"""Bank files: YAML (with each value's line) and .xlsx (one row a question), the empty
workbook `taskforce quiz template` writes, and `import_bank`, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FilePath

import yaml
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.quiz_bank import (
    LETTERS,
    BankSpec,
    Path,
    Problem,
    RawBank,
    check,
    check_new,
    store,
)
from storage.engine import transaction

BANK_COLUMNS = ("key", "title", "version", "pass_mark", "time_limit_minutes", "attempts",
                "shuffle")
COLUMNS = (*BANK_COLUMNS, "text", "type", *LETTERS, "answer", "explain", "departments", "roles")
EXAMPLE = ("launch-approval", "新品上市审批新流程", 1, 80, 15, 2, True,
           "新流程中，市场部提交上市申请后，由谁先审核？", "single",
           "法务部", "财务部", "质量部", "总经理", "", "", "", "",
           "A", "新流程把法务审核提到第一步，避免后期返工。", "", "")


class BankFileError(Exception):
    """The file cannot be read at all (not YAML, not a workbook, wrong shape)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass
class Imported:
    spec: BankSpec | None
    problems: list[Problem]


def _marks(node: yaml.Node, path: Path, out: dict[Path, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            _marks(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _marks(item, (*path, i), out)


def read_yaml(text: str) -> RawBank:
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise BankFileError("not_yaml", line=mark.line + 1 if mark else 1) from None
    if not isinstance(data, dict) or node is None:
        raise BankFileError("not_mapping")
    lines: dict[Path, int] = {}
    _marks(node, (), lines)

    def where(path: Path) -> tuple[str, int]:
        while path and path not in lines:
            path = path[:-1]
        return "line", lines.get(path, 1)

    raw_questions = data.get("questions")
    questions = raw_questions if isinstance(raw_questions, list) else []
    fields = {str(k): v for k, v in data.items()}
    cleaned = [q if isinstance(q, dict) else {"text": None, "type": None} for q in questions]
    return RawBank(fields, [{str(k): v for k, v in q.items()} for q in cleaned], where)


def read_xlsx(path: FilePath) -> RawBank:
    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise BankFileError("not_xlsx") from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise BankFileError("no_header")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    missing = [c for c in ("key", "text", "type", "answer") if c not in header]
    if missing:
        raise BankFileError("no_columns", columns=", ".join(missing))
    fields: dict[str, object] = {}
    field_rows: dict[str, int] = {}
    questions: list[dict[str, object]] = []
    question_rows: list[int] = []
    conflicts: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {h: v for h, v in zip(header, row, strict=False) if h}
        if all(v in (None, "") for v in cells.values()):
            continue
        for name in BANK_COLUMNS:
            value = cells.get(name)
            if value in (None, ""):
                continue
            if name not in fields:
                fields[name], field_rows[name] = value, number
            elif fields[name] != value:
                conflicts.append(Problem("row", number, None, "bank_field_differs",
                                         {"field": name}))
        question: dict[str, object] = {
            k: v for k, v in cells.items() if k not in BANK_COLUMNS and k not in LETTERS
        }
        options = [cells.get(letter) for letter in LETTERS]
        while options and options[-1] in (None, ""):
            options.pop()
        question["options"] = [("" if o is None else o) for o in options] or None
        questions.append({k: v for k, v in question.items() if v not in (None, "")})
        question_rows.append(number)
    fields["questions"] = questions

    def where(path: Path) -> tuple[str, int]:
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            return "row", question_rows[path[1]]
        return "row", field_rows.get(str(path[0]) if path else "", 2)

    return RawBank(fields, questions, where, conflicts)


def read(path: FilePath) -> RawBank:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return read_yaml(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise BankFileError("not_utf8") from None
    raise BankFileError("bad_suffix")


def import_bank(engine: Engine, clock: Clock, path: FilePath) -> Imported:
    """Check the file and store its bank, or store nothing and say every problem."""
    raw = read(path)
    spec, problems = check(raw)
    with transaction(engine) as db:
        problems += check_new(db, spec, raw.where)
        if problems:
            return Imported(None, problems)
        store(db, spec, path.name, clock.now())
    return Imported(spec, [])


def write_template(path: FilePath) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "questions"
    sheet.append(list(COLUMNS))
    sheet.append(list(EXAMPLE))
    for cell in sheet[1]:
        sheet.column_dimensions[cell.column_letter].width = max(10, len(str(cell.value)) + 4)
    sheet.column_dimensions["H"].width = 50
    book.save(path)
