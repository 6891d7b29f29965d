"""Quiz reminders and deadline messages (on the project calendar's working days, once
each), completion in the digest, and the quiz-results export cell by cell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import Chat
from openpyxl import load_workbook
from quiz_support import import_text, right
from sqlmodel import Session, select

from bot.exports.run import ExportError, export
from bot.jobs.quizzes import quiz_sweep, reminder_dates
from bot.jobs.registry import JobEnv
from bot.workdays import calendar_for
from storage.delivery_tables import OutboxMessage
from storage.models import Department

DUE = "2026-11-25"  # a Wednesday; the project calendar is cn


@pytest.fixture
def quiz(team: Chat, tmp_path: Path) -> Chat:
    import_text(team.runtime.engine, team.runtime.clock, tmp_path)
    team("olivia", f"quiz assign tq to dept Marketing due {DUE}")
    team("olivia", f"quiz assign tq to dept Legal due {DUE}")
    team("max", "quiz take tq", channel="dm")
    for _ in range(3):
        team("max", right(team.runtime.engine, "max"), channel="dm")
    return team


def sweep(chat: Chat, at: str) -> list[OutboxMessage]:
    """Run the quiz job at `at`; the outbox rows it queued."""
    with Session(chat.runtime.engine) as db:
        seen = {r.id for r in db.exec(select(OutboxMessage)).all()}
    chat.at(at)
    quiz_sweep(JobEnv(chat.runtime.engine, chat.runtime.clock, chat.runtime.settings))
    with Session(chat.runtime.engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.id not in seen]


def test_reminder_dates_count_working_days() -> None:
    cn = calendar_for("cn")
    monday = datetime(2026, 11, 23).date()
    assert reminder_dates(cn, monday) == {datetime(2026, 11, 25).date(): 2,
                                          datetime(2026, 11, 24).date(): 1}
    friday = datetime(2026, 11, 27).date()  # due Monday: reminded Thursday and Friday
    assert reminder_dates(cn, friday)[datetime(2026, 11, 30).date()] == 1
    # National Day 2026: Oct 1-7 off, Sep 30 a working day; due Oct 8 is reminded
    # two working days before (Sep 29) and one (Sep 30)
    assert reminder_dates(cn, datetime(2026, 9, 29).date())[datetime(2026, 10, 8).date()] == 2
    assert reminder_dates(cn, datetime(2026, 9, 30).date())[datetime(2026, 10, 8).date()] == 1


def test_reminders_then_the_department_heads_once(quiz: Chat) -> None:
    with Session(quiz.runtime.engine) as db:  # Legal has no head: its list goes to olivia
        legal = db.exec(select(Department).where(Department.name == "Legal")).one()
        legal.head_id = None
        db.add(legal)
        db.commit()
    days = {}
    for day in ("19", "20", "23", "24", "25", "26", "27"):
        days[day] = sweep(quiz, f"2026-11-{day}T09:05:00+08:00")
    assert days["19"] == days["20"] == days["25"] == days["27"] == []
    for day in ("23", "24"):  # two and one working days before Wednesday the 25th
        assert {(r.kind, r.user_id) for r in days[day]} == {
            ("quiz_remind_dm", "olivia"), ("quiz_remind_dm", "lena"), ("quiz_remind_dm", "vic")
        }  # not max, who passed
    assert "is due Wed 2026-11-25. Send quiz take tq" in days["23"][0].payload
    late = {(r.kind, r.user_id): r.payload for r in days["26"]}
    assert set(late) == {("quiz_overdue_head", "mona"), ("quiz_overdue_head", "olivia"),
                         ("quiz_overdue_owner", "olivia")}
    assert "In Marketing, these people have not passed it yet: olivia." in \
        late[("quiz_overdue_head", "mona")]
    assert "Legal has no department head, so this comes to you as the process owner: " \
        "not passed yet: lena, vic." in late[("quiz_overdue_head", "olivia")]
    owner = [r for r in days["26"] if r.kind == "quiz_overdue_owner"]
    assert len(owner) == 2  # one summary per assignment (Marketing's and Legal's)
    assert any("1 of 2 passed" in r.payload for r in owner)
    assert sweep(quiz, "2026-11-26T15:00:00+08:00") == []
    assert sweep(quiz, "2026-11-30T09:05:00+08:00") == []


def test_a_missed_morning_is_caught_up_once(quiz: Chat) -> None:
    assert sweep(quiz, "2026-11-24T09:05:00+08:00")  # the job ran on Tuesday
    caught_up = sweep(quiz, "2026-11-30T09:30:00+08:00")  # then not until Monday
    kinds = sorted(r.kind for r in caught_up)
    assert kinds.count("quiz_overdue_head") == 2 and kinds.count("quiz_overdue_owner") == 2
    assert "quiz_remind_dm" not in kinds  # reminders are never sent late


def test_the_digest_shows_completion_per_quiz(quiz: Chat) -> None:
    digest = quiz("olivia", "digest now")
    assert "Quizzes:" in digest
    assert "tq Launch approval basics: 1/4 passed, 1 completed · due Wed 2026-11-25" in digest


def test_quiz_results_export_cell_by_cell(quiz: Chat, tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    assert export(quiz.runtime.engine, ["quiz-results"], out, "LA", "tq", "en") == 4
    rows = list(load_workbook(out)["Quiz results"].iter_rows(values_only=True))
    assert rows[0] == ("Project", "Quiz", "Version", "Name", "Department", "Due", "Attempts",
                       "Best score (%)", "Passed", "Completed")
    by_name = {r[3]: r for r in rows[1:]}
    assert by_name["max"] == ("LA", "tq", 1, "max", "Marketing", datetime(2026, 11, 25), 1, 100,
                              "yes", datetime(2026, 11, 18, 10, 0))
    assert by_name["olivia"] == ("LA", "tq", 1, "olivia", "Marketing", datetime(2026, 11, 25),
                                 0, None, "no", None)
    assert by_name["lena"][4] == "Legal" and by_name["vic"][4] == "Legal"
    with pytest.raises(ExportError, match="--quiz"):
        export(quiz.runtime.engine, ["quiz-results"], out, "LA", None, "en")
    with pytest.raises(ExportError, match="no quiz"):
        export(quiz.runtime.engine, ["quiz-results"], out, None, "nope", "en")
    csv = tmp_path / "results.csv"
    export(quiz.runtime.engine, ["quiz-results"], csv, None, "tq", "zh-CN")
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("项目,测验,版本,姓名,部门")
    assert "LA,tq,1,max,Marketing,2026-11-25,1,100,是" in csv.read_text(encoding="utf-8-sig")
