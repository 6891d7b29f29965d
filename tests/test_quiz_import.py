"""`taskforce quiz import` / `quiz template`: every problem with its line (YAML) or row
(xlsx) and question number, nothing stored on any problem, new versions beside old."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from quiz_support import BANK
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import app
from bot.quiz_cli import run_import, run_template
from bot.quiz_files import COLUMNS, EXAMPLE
from bot.settings import Settings
from storage.engine import make_engine
from storage.quizzes import QuizBank, QuizQuestion

BAD_YAML = """\
key: Bad Key
title: Broken bank
version: 1
pass_mark: 120
questions:
  - text: First question
    type: single
    options: [one, two]
    answer: C
  - text: Second question
    type: maybe
    answer: A
  - text: Third question
    type: multiple
    options: [one, two, three]
    answer: [A, A]
    colour: red
  - type: true_false
    answer: perhaps
"""


def _run(url: str, path: Path, locale: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(Settings(database_url=url, locale=locale), path, out, err)
    return code, out.getvalue(), err.getvalue()


def _banks(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with Session(engine) as db:
        counts = (db.exec(select(func.count()).select_from(QuizBank)).one(),
                  db.exec(select(func.count()).select_from(QuizQuestion)).one())
    engine.dispose()
    return counts


def test_yaml_problems_name_their_line_and_question(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    code, out, err = _run(sqlite_url, path)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert 'bad.yaml: line 1: "Bad Key" is not a quiz key (lower-case letters, digits, - and _)' \
        in lines
    assert "bad.yaml: line 4: pass_mark must be between 0 and 100, not 120" in lines
    assert "bad.yaml: line 9, question 1: answer C is not an option (the options go A to B)" \
        in lines
    assert 'bad.yaml: line 11, question 2: type "maybe" is not one of single, multiple, ' \
        "true_false" in lines
    assert 'bad.yaml: line 16, question 3: answer "[\'A\', \'A\']" is not letters such as B ' \
        "or [A, C]" in lines
    assert 'bad.yaml: line 17, question 3: unknown field "colour"' in lines
    assert "bad.yaml: line 18, question 4: text is missing" in lines
    assert 'bad.yaml: line 19, question 4: answer "perhaps" must be true or false' in lines
    assert lines[-1] == "Nothing was imported: 8 problem(s)."
    assert _banks(sqlite_url) == (0, 0)


def test_yaml_problems_in_chinese(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    _, _, err = _run(sqlite_url, path, locale="zh-CN")
    assert "bad.yaml: 第 9 行, 第 1 题: 答案 C 不在选项中（选项为 A 到 B）" in err
    assert "未导入任何内容：共 8 个问题。" in err


def test_a_good_bank_is_imported_and_described(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "tq.yaml"
    path.write_text(BANK, encoding="utf-8")
    code, out, err = _run(sqlite_url, path)
    assert (code, err) == (0, "")
    assert out.strip() == ("Imported quiz tq version 1: Launch approval basics, 4 questions "
                           "(2 single, 1 multiple, 1 true/false).")
    assert _banks(sqlite_url) == (1, 4)
    again = _run(sqlite_url, path)
    assert again[0] == 1
    assert "tq.yaml: line 3: version 1 of tq is not new (the newest imported is 1)" in again[2]
    path.write_text(BANK.replace("version: 1", "version: 2"), encoding="utf-8")
    assert _run(sqlite_url, path)[0] == 0
    assert _banks(sqlite_url) == (2, 8)  # the old version stays, with its questions


def test_the_example_bank_imports(sqlite_url: str) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "launch-approval-quiz.yaml"
    code, out, _ = _run(sqlite_url, example, locale="zh-CN")
    assert code == 0
    assert "已导入测验 launch-approval 第 1 版" in out and "单选 4，多选 2，判断 2" in out


def _sheet(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)


def _row(**cells: object) -> list[object]:
    return [cells.get(c.lower() if len(c) > 1 else c) for c in COLUMNS]


def test_xlsx_problems_name_their_row_and_question(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bank.xlsx"
    base = {"key": "xq", "title": "Excel bank", "version": 1, "pass_mark": 80}
    _sheet(path, [
        _row(**base, text="Good one", type="single", A="yes", B="no", answer="A"),
        _row(text="Bad answer", type="single", A="yes", B="no", answer="E"),
        _row(type="true_false", answer="true"),
        _row(text="Two answers", type="single", A="x", B="y", C="z", answer="A,B",
             pass_mark=70),
    ])
    code, out, err = _run(sqlite_url, path)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert "bank.xlsx: row 3, question 2: answer E is not an option (the options go A to B)" \
        in lines
    assert "bank.xlsx: row 4, question 3: text is missing" in lines
    assert "bank.xlsx: row 5: pass_mark differs from the first row's" in lines
    assert 'bank.xlsx: row 5, question 4: a single-choice question has exactly one answer, ' \
        'not "A,B"' in lines
    assert lines[-1] == "Nothing was imported: 4 problem(s)."
    assert _banks(sqlite_url) == (0, 0)


def test_template_has_the_columns_and_an_example_that_imports(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "template.xlsx"
    out, err = io.StringIO(), io.StringIO()
    assert run_template(Settings(database_url=sqlite_url), path, out, err) == 0
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert rows[1][:9] == EXAMPLE[:9]
    code, imported, _ = _run(sqlite_url, path)
    assert code == 0 and "launch-approval version 1" in imported
    assert _banks(sqlite_url) == (1, 1)


def test_cli_commands(sqlite_url: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TASKFORCE_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    result = runner.invoke(app, ["quiz", "template", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0 and "Wrote the empty bank workbook" in result.output
    result = runner.invoke(app, ["quiz", "import", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0 and "Imported quiz launch-approval" in result.output
    result = runner.invoke(app, ["quiz", "import", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1
