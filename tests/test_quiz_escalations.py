"""A quiz deadline escalates as a record per (assignment, department) at the dept-head
level, on the first working day after the due date (cn calendar: due Thu 2026-12-31,
New Year 1-3 January off, so Monday 4 January): acknowledged by the head by bare E-id
in a DM (not a project member), the process owner where there is no head, listed,
re-notified when the ETA lapses, resolved when all of the department have passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Chat
from quiz_support import import_text, right
from sqlmodel import Session, select

from bot.adapters.dingtalk.markdown import DingTalkMessage
from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.slack.render import SlackRenderer
from bot.jobs.escalations import escalation_ladder
from bot.jobs.quizzes import quiz_sweep
from bot.jobs.registry import JobEnv
from bot.messages import Label
from storage.delivery_tables import OutboxMessage
from storage.escalations import Escalation
from storage.models import Department, Person
from storage.quizzes import QuizAssignee

DUE = "2026-12-31"  # a Thursday before the New Year holiday


@pytest.fixture
def quiz(team: Chat, tmp_path: Path) -> Chat:
    import_text(team.runtime.engine, team.runtime.clock, tmp_path)
    with Session(team.runtime.engine) as db:  # Legal has no head
        legal = db.exec(select(Department).where(Department.name == "Legal")).one()
        legal.head_id = None
        db.add(legal)
        db.commit()
    team("olivia", f"quiz assign tq to dept Marketing due {DUE}")
    team("olivia", f"quiz assign tq to dept Legal due {DUE}")
    return team


def env(chat: Chat) -> JobEnv:
    return JobEnv(chat.runtime.engine, chat.runtime.clock, chat.runtime.settings)


def run(chat: Chat, at: str, job=quiz_sweep) -> list[OutboxMessage]:  # noqa: ANN001
    with Session(chat.runtime.engine) as db:
        seen = {r.id for r in db.exec(select(OutboxMessage)).all()}
    chat.at(at)
    job(env(chat))
    with Session(chat.runtime.engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.id not in seen]


def records(chat: Chat) -> dict[str, Escalation]:
    with Session(chat.runtime.engine) as db:
        depts = {d.id: d.name for d in db.exec(select(Department)).all()}
        found = db.exec(select(Escalation).where(Escalation.subject_kind == "quiz")).all()
        return {depts[r.target_dept_id]: r for r in found}


def pass_quiz(chat: Chat, user: str) -> None:
    chat(user, "quiz take tq", channel="dm")
    for _ in range(3):  # Marketing gets the three untagged questions
        chat(user, right(chat.runtime.engine, user), channel="dm")
    with Session(chat.runtime.engine) as db:
        assert db.exec(select(QuizAssignee).join(Person).where(Person.user_id == user)).one().passed


def test_records_on_the_first_working_day_after_the_due_date_once(quiz: Chat) -> None:
    for day in ("2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"):
        sent = run(quiz, f"{day}T09:05:00+08:00")
        assert "quiz_overdue_head" not in {r.kind for r in sent}, day
        assert records(quiz) == {}
    monday = run(quiz, "2027-01-04T09:05:00+08:00")
    heads = {r.user_id: r.payload for r in monday if r.kind == "quiz_overdue_head"}
    assert set(heads) == {"mona", "olivia"}
    found = records(quiz)
    assert set(found) == {"Marketing", "Legal"}
    marketing, legal = found["Marketing"], found["Legal"]
    assert marketing.level == legal.level == "dept-head"
    assert marketing.state == legal.state == "open"
    assert marketing.ladder_key == f"quiz:{marketing.subject_id}:{marketing.target_dept_id}"
    assert f"This is escalation LA/E{marketing.seq}" in heads["mona"]
    assert f"escalation ack LA/E{marketing.seq} eta" in heads["mona"]
    assert "Legal has no department head, so this comes to you as the process owner" in \
        heads["olivia"] and f"LA/E{legal.seq}" in heads["olivia"]
    # once: a later tick that day, the next morning, and a replica's second run add nothing
    assert run(quiz, "2027-01-04T15:00:00+08:00") == []
    assert run(quiz, "2027-01-05T09:05:00+08:00") == []
    assert len(records(quiz)) == 2
    shown = quiz("olivia", f"escalation show E{legal.seq}")
    assert "quiz tq Launch approval basics · Legal" in shown
    assert "told the department head: olivia" in shown


def test_head_acks_by_bare_id_in_a_dm_and_passing_resolves(quiz: Chat) -> None:
    run(quiz, "2027-01-04T09:05:00+08:00")
    marketing, legal = records(quiz)["Marketing"], records(quiz)["Legal"]
    # mona heads Marketing but is no member of LA: a bare E-id in her DM finds the record
    acked = quiz("mona", f"escalation ack E{marketing.seq} eta 2027-01-05", channel="dm")
    assert f"acknowledged E{marketing.seq}" in acked
    assert records(quiz)["Marketing"].state == "acknowledged"
    refused = quiz("mona", f"escalation ack E{legal.seq} eta 2027-01-05", channel="dm")
    assert "acknowledged" not in refused  # Legal's record was not sent to her
    assert "quiz tq Launch approval basics · Marketing" in quiz(
        "mona", f"escalation show E{marketing.seq}", channel="dm")
    assert records(quiz)["Legal"].state == "open"
    listed = quiz("olivia", "escalation list")
    assert f"E{marketing.seq}" in listed and f"E{legal.seq}" in listed
    assert "quiz tq Launch approval basics · Marketing" in listed
    assert "quiz tq Launch approval basics · Legal" in listed
    digest = quiz("olivia", "digest now")
    assert "Escalations" in digest and "quiz tq Launch approval basics · Legal" in digest
    # the ETA lapses (09:00 of the next working day after it): mona hears again
    lapsed = run(quiz, "2027-01-06T09:05:00+08:00", escalation_ladder)
    assert ("escalation_dm", "mona") in {(r.kind, r.user_id) for r in lapsed}
    assert records(quiz)["Marketing"].state == "open"
    # Marketing: olivia and max; the record stays open until both have passed
    pass_quiz(quiz, "max")
    assert records(quiz)["Marketing"].state == "open"
    pass_quiz(quiz, "olivia")
    done = records(quiz)["Marketing"]
    assert done.state == "resolved" and done.resolution == "all-passed"
    assert "all passed" in quiz("olivia", "escalation list all")
    assert f"E{marketing.seq}" not in quiz("olivia", "escalation list")
    # Legal passes outside a chat attempt: the next quiz job run resolves it
    with Session(quiz.runtime.engine) as db:
        for assignee in db.exec(select(QuizAssignee).where(
                QuizAssignee.department_id == legal.target_dept_id)).all():
            assignee.passed = True
            db.add(assignee)
        db.commit()
    run(quiz, "2027-01-06T10:00:00+08:00")
    assert records(quiz)["Legal"].state == "resolved"
    row = {"id": "E2", "level": "dept-head", "state": "resolved", "age": 0, "item": None,
           "review": None, "quiz": {"key": "tq", "title": "T", "department": "Legal"},
           "reason": None,
           "overdue": False, "eta": None, "ack_by": None,
           "resolution": Label("esc_resolution", "all-passed")}
    zh = DingTalkRenderer().render("escalation_list", {"project": "LA", "rows": [row],
                                                       "which": "all"}, "zh-CN")
    assert "测验 tq T · Legal" in zh and "全部已通过" in zh


def test_head_message_has_the_record_buttons_on_slack_and_dingtalk() -> None:
    data = {"key": "tq", "title": "T", "project": "LA", "due": "2026-12-31",
            "department": "Legal", "names": "lena, vic", "no_head": True,
            "id": "E3", "ref": "LA/E3"}
    blocks = SlackRenderer().message("quiz_overdue_head", data, "en").blocks
    ids = [e["action_id"] for b in blocks for e in b.get("elements", []) if "action_id" in e]
    assert ids == ["tfmodal:ack:LA/E3", "tfmodal:resolve:LA/E3"]
    assert "LA/E3" in json.dumps(blocks)
    card = DingTalkMessage.parse(DingTalkRenderer().render("quiz_overdue_head", data, "zh-CN"))
    assert ("确认，明天解决", "escalation ack LA/E3 eta tomorrow") in card.buttons
    assert "升级记录 LA/E3" in card.text and "Legal 没有部门负责人" in card.text


def _passed_unseen(chat: Chat, dept: str) -> None:
    """The department's assignees pass in a transaction that saw no record yet (a pass
    committed while the morning sweep raised it: `settle` had nothing to close)."""
    with Session(chat.runtime.engine) as db:
        dept_id = db.exec(select(Department.id).where(Department.name == dept)).one()
        for assignee in db.exec(select(QuizAssignee).where(
                QuizAssignee.department_id == dept_id)).all():
            assignee.passed = True
            db.add(assignee)
        db.commit()


def test_the_job_closes_a_record_whose_last_pass_came_unseen(quiz: Chat) -> None:
    run(quiz, "2027-01-04T09:05:00+08:00")
    _passed_unseen(quiz, "Marketing")
    run(quiz, "2027-01-04T09:06:00+08:00")  # raised within the day: every run looks
    assert records(quiz)["Marketing"].state == "resolved"
    assert records(quiz)["Marketing"].resolution == "all-passed"
    run(quiz, "2027-01-05T09:05:00+08:00")  # the group's morning, Legal still waiting
    assert records(quiz)["Legal"].state == "open"
    _passed_unseen(quiz, "Legal")
    run(quiz, "2027-01-05T10:00:00+08:00")  # raised over a day ago: not read every run …
    assert records(quiz)["Legal"].state == "open"
    run(quiz, "2027-01-06T09:05:00+08:00")  # … but by the group's next morning
    assert records(quiz)["Legal"].state == "resolved"
