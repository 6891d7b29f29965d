"""The readiness gate through the console: `project readiness`, `project phase rollout
[force]`, `policy readiness quiz`. The `team` fixture: project LA in #launch; olivia
process owner (Marketing), lena lead (Legal), max member (Marketing), vic viewer (Legal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Chat
from quiz_support import import_text, right
from sqlmodel import Session, select

from storage import quizzes
from storage.models import History, Person, Project
from storage.readiness import Readiness

DUE = "2026-11-25"


def phase(chat: Chat) -> str:
    with Session(chat.runtime.engine) as db:
        return db.exec(select(Project).where(Project.key == "LA")).one().phase


def history(chat: Chat, field: str) -> list[tuple[str | None, str | None]]:
    with Session(chat.runtime.engine) as db:
        rows = db.exec(select(History).where(History.field == field).order_by(History.id))
        return [(h.old, h.new) for h in rows]


def take_and_pass(chat: Chat, user: str) -> None:
    chat(user, "quiz take tq", channel="dm")
    for _ in range(6):
        with Session(chat.runtime.engine) as db:
            open_now = [a for a, _ in quizzes.open_attempts_of(db, _person_id(db, user))]
        if not open_now:
            return
        chat(user, right(chat.runtime.engine, user), channel="dm")
    raise AssertionError(f"{user} never finished the quiz")


def _person_id(db: Session, user: str) -> int:
    return db.exec(select(Person).where(Person.user_id == user)).one().id


@pytest.fixture
def quiz(team: Chat, tmp_path: Path) -> Chat:
    import_text(team.runtime.engine, team.runtime.clock, tmp_path)
    team("olivia", f"quiz assign tq to dept Marketing due {DUE}")  # olivia, max
    team("olivia", f"quiz assign tq to dept Legal due {DUE}")  # lena, vic
    for user in ("olivia", "max", "lena"):
        take_and_pass(team, user)
    return team


def test_a_quiz_below_the_threshold_in_one_department_holds_rollout(quiz: Chat) -> None:
    refused = quiz("lena", "project phase rollout")
    assert "Not switching LA to rollout; still missing:" in refused
    assert "❌ Quizzes passed in every department: 1 missing" in refused
    assert "Quiz tq (Launch approval basics) in Legal: 50% passed (1 of 2), needs 90%." \
        in refused
    assert "Marketing" not in refused  # 2 of 2 passed there
    assert "✅ Reviews decided: met" in refused
    assert phase(quiz) == "diagnose" and history(quiz, "phase") == []
    take_and_pass(quiz, "vic")
    switched = quiz("lena", "project phase rollout")
    assert "🚀 LA Launch approval is now in rollout." in switched
    assert phase(quiz) == "rollout" and history(quiz, "phase") == [("diagnose", "rollout")]
    assert quiz("lena", "project phase rollout").startswith("LA is already in the rollout phase.")


def test_a_lower_threshold_lets_the_same_results_pass(quiz: Chat) -> None:
    assert "at least 50% of each department" in quiz("lena", "policy readiness quiz 50%")
    assert "✅ Quizzes passed in every department: met" in quiz("vic", "project readiness")
    assert "now in rollout" in quiz("olivia", "project phase rollout")


def test_an_open_review_holds_rollout_until_decided(team: Chat) -> None:
    team("olivia", "dept add Tech head @tom")
    team("max", 'review "Launch plan v2" by dept Legal,Tech within 3wd')
    refused = team("olivia", "project phase rollout")
    assert "❌ Reviews decided: 1 missing" in refused
    assert "Review R1 Launch plan v2: open (due Mon 2026-11-23)." in refused
    team("leo", "approve R1", channel="dm")
    team("tom", "changes R1 \"needs a budget line\"", channel="dm")
    waiting = team("olivia", "project phase rollout")
    assert "Review R1 Launch plan v2: changes requested, waiting for a resubmission" in waiting
    team("max", "review resubmit R1")
    team("tom", "approve R1", channel="dm")
    assert "✅ Reviews decided: met" in team("max", "project readiness")
    assert "now in rollout" in team("olivia", "project phase rollout")


def test_the_process_owner_forces_it_and_history_keeps_the_reason(team: Chat) -> None:
    team("olivia", "dept add Tech head @tom")
    team("max", 'review "Launch plan v2" by dept Tech within 3wd')
    lead = team("lena", 'project phase rollout force "the launch date is fixed"')
    assert lead.startswith(
        'Only the process owner can force the switch to rollout (project phase rollout force '
        '"<reason>"); you are lead.'
    )
    assert phase(team) == "diagnose" and history(team, "rollout_forced") == []
    forced = team("olivia", 'project phase rollout force "the launch date is fixed"')
    assert "now in rollout" in forced
    assert 'switched without the gate: "the launch date is fixed" (kept in history)' in forced
    assert "Review R1 Launch plan v2: open" in forced
    assert history(team, "rollout_forced") == [("reviews", "the launch date is fixed")]
    assert history(team, "phase") == [("diagnose", "rollout")]
    with Session(team.runtime.engine) as db:
        row = db.exec(select(Readiness)).one()
    assert row.rollout_forced and str(row.rollout_on) == "2026-11-18"


def test_other_phases_work_as_before_and_force_belongs_to_rollout(team: Chat) -> None:
    assert team("lena", "project phase pilot") == "LA is now in the pilot phase."
    assert "force applies only to the switch to rollout" in team(
        "olivia", 'project phase sustain force "why not"'
    )
    assert phase(team) == "pilot"
    assert "Only a lead or the process owner" in team("max", "project phase rollout")


def test_readiness_is_readable_by_everyone_in_the_project_only(team: Chat) -> None:
    shown = team("vic", "project readiness")
    assert shown.startswith("Readiness of LA Launch approval for rollout (phase diagnose;")
    assert "Everything is met: project phase rollout switches now." in shown
    assert "not a member" in team("stranger", "project readiness")


def test_readiness_in_chinese(chat: Chat) -> None:
    chat("wang", "项目 创建 618大促 编号 S618 牵头部门 市场部", channel="g618")
    chat("wang", "部门 新增 法务部 主管 @林芳", channel="g618")
    chat("wang", "会签 「新品上线方案」 由 部门 法务部 限 3个工作日", channel="g618")
    shown = chat("wang", "项目 就绪", channel="g618")
    assert shown.startswith("S618 618大促 推广就绪检查（当前阶段：诊断；")
    assert "✅ 各部门测验均已通过：已达成" in shown
    assert "❌ 会签均已完成：缺 1 项" in shown and "会签 R1 新品上线方案：进行中" in shown
    refused = chat("wang", "项目 阶段 推广", channel="g618")
    assert refused.startswith("S618 暂不切换到推广阶段，仍缺：")
    assert "项目 阶段 推广 强制 「<原因>」" in refused
    forced = chat("wang", "项目 阶段 推广 强制 「上线日期已定」", channel="g618")
    assert "已进入推广阶段" in forced and "「上线日期已定」" in forced
    assert "就绪检查" in chat("wang", "策略 就绪 测验 80%", channel="g618")
    assert "每个部门测验通过率须达 80%" in chat("wang", "策略 查看", channel="g618")


def test_policy_readiness_quiz_set_show_and_bad_input(team: Chat) -> None:
    assert "quizzes passed by 90% of each department (the default;" in team(
        "vic", "policy show"
    )
    before = team.snapshot()
    for bad in ("0%", "101%", "ninety", "90.5%"):
        reply = team("lena", f"policy readiness quiz {bad}")
        assert "is not a percentage from 1 to 100" in reply, reply
    assert "Only a lead or the process owner" in team("max", "policy readiness quiz 80%")
    assert team.snapshot() == before
    team("lena", "policy readiness quiz 75 %")
    shown = team("vic", "policy show")
    assert "quizzes passed by 75% of each department (policy readiness quiz" in shown
    assert history(team, "readiness_quiz") == [("90%", "75%")]
