"""The pilot feedback log (问题记录表) through the core, on the console.

The `team` fixture: project LA in #launch; olivia process owner, lena lead, max member,
vic viewer. The clock stands on Wednesday 2026-11-18 10:00 in Shanghai.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select
from support_scheduler import rows

from bot import catalog
from bot.readiness import checklist
from bot.render import localize
from storage import projects
from storage.feedback import Feedback
from storage.models import ActionItem


def report(chat, seq: int = 1) -> Feedback:  # noqa: ANN001
    with Session(chat.runtime.engine) as db:
        return db.exec(select(Feedback).where(Feedback.seq == seq)).one()


def told(chat) -> list[tuple[str, str]]:  # noqa: ANN001
    """The reporter notices in the outbox: (to whom, what)."""
    return [(r.user_id, r.payload) for r in rows(chat.runtime, kind="feedback_notice")]


def test_a_report_is_triaged_and_closed_and_the_reporter_hears_each_step(team) -> None:  # noqa: ANN001
    reply = team("max", 'feedback "The approval form asks twice for the cost centre" '
                        'severity high step "submit form"')
    assert "recorded as F1 (high): The approval form asks twice" in reply
    found = report(team)
    assert (found.severity, found.step, found.state) == ("high", "submit form", "new")
    reply = team("lena", 'feedback accept F1 "fix in the next form release"')
    assert "F1 accepted" in reply and "fix in the next form release" in reply
    assert report(team).state == "accepted"
    reply = team("olivia", 'feedback close F1 "form v3 asks once"')
    assert "F1 closed" in reply and "form v3 asks once" in reply
    assert report(team).state == "closed" and report(team).resolution == "form v3 asks once"
    notices = told(team)
    assert [to for to, _ in notices] == ["max", "max"]
    assert "was accepted by lena (note: fix in the next form release)" in notices[0][1]
    assert "was closed by olivia: form v3 asks once" in notices[1][1]
    shown = team("vic", "feedback show F1")
    assert "F1 · closed · high" in shown and "Reported by max" in shown
    assert "step: submit form" in shown and "Triaged by lena: fix in the next" in shown
    assert "Resolution: form v3 asks once" in shown
    history = shown.split("History:")[1]
    assert history.index("max · reported") < history.index("lena · accepted")
    assert "olivia · closed: form v3 asks once" in history


def test_default_severity_is_medium_and_viewers_report_too(team) -> None:  # noqa: ANN001
    assert "recorded as F1 (medium)" in team("vic", "feedback the legend is unclear")
    assert report(team).text == "the legend is unclear" and report(team).step is None


def test_a_report_by_dm_goes_to_the_callers_only_project(team) -> None:  # noqa: ANN001
    reply = team("max", 'feedback "the PDF export is slow" severity low', channel="dm")
    assert "recorded as F1 (low)" in reply
    with Session(team.runtime.engine) as db:
        assert report(team).project_id == projects.by_key(db, "LA").id
    # a P2/F id names the project from a DM, also for a lead's triage
    assert "F1 rejected" in team("lena", 'feedback reject LA/F1 "not in scope"', channel="dm")


def test_a_dm_report_with_two_projects_asks_which_until_use(team) -> None:  # noqa: ANN001
    team("olivia", 'project create "Second" key SE', channel="second")
    team("olivia", "member add @max dept Marketing", channel="second")
    assert "LA, SE" in team("max", "feedback which project?", channel="dm")
    team("max", "use SE", channel="dm")
    assert "recorded as F1" in team("max", "feedback goes to SE", channel="dm")
    with Session(team.runtime.engine) as db:
        assert report(team).project_id == projects.by_key(db, "SE").id
    assert "No open feedback" in team("max", "feedback list")  # LA has none


def test_rejected_and_duplicate_are_done_with(team) -> None:  # noqa: ANN001
    team("max", "feedback first report")
    team("max", "feedback same thing again")
    assert "F2 is a duplicate of F1" in team("lena", "feedback duplicate F2 F1")
    assert report(team, 2).state == "duplicate"
    assert "duplicate of LA/F1" in told(team)[-1][1]
    assert "is duplicate: only accepted or acted-on" in team("lena", 'feedback close F2 "x"')
    assert "only new feedback can be accepted" in team("lena", "feedback accept F2")
    assert "F2 is itself a duplicate of F1" in team("lena", "feedback duplicate F1 F2")
    assert "cannot be a duplicate of itself" in team("lena", "feedback duplicate F1 F1")
    team("lena", 'feedback reject F1 "works as designed"')
    assert "is rejected: only new or accepted" in team("lena", "feedback act F1 owner @max due fri")
    assert "F2 · duplicate" in team("max", "feedback show F2")
    assert "No open feedback" in team("max", "feedback list")
    listing = team("max", "feedback list all")
    assert "All feedback (2):" in listing and "duplicate of F1" in listing


def test_act_creates_a_linked_item_with_its_owners_notice(team) -> None:  # noqa: ANN001
    team("vic", 'feedback "nobody owns the supplier check" severity high step "supplier check"')
    before = len(rows(team.runtime, kind="notice_assigned"))
    reply = team("lena", "feedback act F1 owner @max due 2026-11-27")
    assert "F1 is now action item A1" in reply
    assert "Added A1: nobody owns the supplier check" in reply  # the usual action-added reply
    with Session(team.runtime.engine) as db:
        item = db.exec(select(ActionItem)).one()
    assert (item.due_date, item.title) == (date(2026, 11, 27), "nobody owns the supplier check")
    assert report(team).item_id == item.id and report(team).state == "acted"
    assert len(rows(team.runtime, kind="notice_assigned")) == before + 1  # as for action add
    assert "From feedback F1: nobody owns the supplier check" in team("max", "action show A1")
    assert "Action item: A1" in team("max", "feedback show F1")
    to, text = told(team)[-1]
    assert to == "vic" and "became action item LA/A1" in text and "owned by max" in text
    assert "is acted on: only new or accepted" in team("lena", "feedback act F1 owner @max due fri")
    assert "F1 closed" in team("lena", 'feedback close F1 "supplier check owned by max"')


def test_stats_count_by_severity_step_and_state(team) -> None:  # noqa: ANN001
    team("max", 'feedback "a" severity high step "submit"')
    team("max", 'feedback "b" step "submit"')
    team("vic", 'feedback "c" severity low step "approve"')
    team("vic", 'feedback "d"')
    team("lena", "feedback accept F2")
    team("lena", 'feedback reject F3 "no"')
    stats = team("max", "feedback stats")
    assert "Feedback of LA: 4 reports" in stats
    assert "By severity: high 1 · medium 2 · low 1" in stats
    assert "new 2 · accepted 1 · rejected 1 · duplicate 0 · acted on 0 · closed 0" in stats
    assert "- submit: 2\n- approve: 1\n- (no step): 1" in stats


def test_the_digest_lists_new_and_open_high_feedback(team) -> None:  # noqa: ANN001
    team("max", 'feedback "old high one" severity high')
    team.at("2026-11-20T18:00:00+08:00")
    with team.runtime.engine.begin() as conn:  # the last digest went out after F1
        conn.exec_driver_sql("UPDATE digestschedule SET since = '2026-11-20 09:00:00'")
    for n in range(12):
        team("vic", f'feedback "new report {n:02d}"')
    digest = team("olivia", "digest now")
    assert "New feedback since the last digest (12):" in digest
    assert "new report 11" in digest and "new report 01" not in digest
    assert "… and 2 more" in digest
    assert "Open high-severity feedback (1):" in digest and "F1 [high] old high one" in digest


def test_help_lists_the_feedback_commands_in_both_languages(team, zh) -> None:  # noqa: ANN001
    assert "feedback act <F> owner @user due <date>" in team("max", "help feedback act")
    assert 'feedback "<text>" [severity high|medium|low]' in team("max", "help feedback")
    shown = zh("li", "帮助 反馈 转待办", channel="g618")
    assert "反馈 转待办 <F> 负责人 @某人 截止 <日期>" in shown and "feedback" not in shown


def test_the_readiness_check_lists_open_high_feedback(team) -> None:  # noqa: ANN001
    team("max", 'feedback "blocks the pilot" severity high')
    team("max", 'feedback "cosmetic" severity low')
    team("max", 'feedback "rejected one" severity high')
    team("lena", 'feedback reject F3 "no"')
    with Session(team.runtime.engine) as db:
        project = projects.by_key(db, "LA")
        lines = dict(checklist(db, team.runtime.clock, project))
    (gap,) = lines["feedback"]
    assert gap.key == "feedback_text.gap_high" and gap.params["id"] == "F1"
    for locale, expected in (("en", "F1 is still new: blocks"), ("zh-CN", "F1 仍是「新建」")):
        params = {k: localize(v, locale) for k, v in gap.params.items()}
        assert expected in catalog.text(locale, gap.key, **params)
    team("lena", "feedback act F1 owner @max due fri")
    team("lena", 'feedback close F1 "fixed"')
    with Session(team.runtime.engine) as db:
        assert dict(checklist(db, team.runtime.clock, projects.by_key(db, "LA")))["feedback"] == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("feedback show F9", "There is no feedback F9 in LA"),
        ("feedback accept X1", '"X1" is not a feedback id'),
        ('feedback "slow" severity urgent', '"urgent" is not one of: high | medium | low'),
        ("feedback accept F1", "Only a lead or the process owner can do this; you are member."),
        ("feedback", "Missing <text>"),
        ("feedback reject F1", "Missing <why>"),
        ("feedback " + "x" * 1001, "is too long"),
        (f'feedback "slow" step "{"s" * 201}"', "is too long"),
        ("feedback duplicate F1 F7", "There is no feedback F7 in LA"),
        ("feedback list urgent", '"urgent" is not one of: open | all | high'),
    ],
)
def test_bad_input_in_english_changes_nothing(team, line: str, expected: str) -> None:  # noqa: ANN001
    team("max", 'feedback "slow"')
    before = team.snapshot()
    reply = team("max", line)
    assert expected in reply, reply
    assert team.snapshot() == before


ZH_SETUP = [
    ("wang", "项目 创建 618大促 编号 S618 语言 中文"),
    ("wang", "部门 新增 运营部 主管 @wang"),
    ("wang", "成员 新增 @li 部门 运营部"),
    ("wang", "成员 新增 @zhao 部门 运营部 角色 组长"),
]


@pytest.fixture
def zh(chat):  # noqa: ANN001, ANN201
    for user, line in ZH_SETUP:
        chat(user, line, channel="g618")
    return chat


def test_the_life_cycle_in_chinese(zh) -> None:  # noqa: ANN001
    reply = zh("li", "反馈 「审批单要填两次成本中心」 严重度 高 步骤 「提交申请」", channel="g618")
    assert "已记录为 F1（严重度 高）" in reply
    assert "已采纳 F1" in zh("zhao", "反馈 采纳 F1 「下个版本修复」", channel="g618")
    assert "F1 已转为待办 A1" in zh("zhao", "反馈 转待办 F1 负责人 @li 截止 下周五", channel="g618")
    assert "来自反馈 F1" in zh("li", "待办 详情 A1", channel="g618")
    assert "处理人：zhao: 下个版本修复" in zh("li", "反馈 详情 F1", channel="g618")  # note kept
    assert "已关闭 F1" in zh("wang", "反馈 关闭 F1 「已修复」", channel="g618")
    notices = told(zh)
    assert "你的反馈 S618/F1 已被 zhao 采纳" in notices[0][1]
    assert "你的反馈 S618/F1 已由 zhao 转为待办 S618/A1" in notices[1][1]
    stats = zh("li", "反馈 统计", channel="g618")
    assert "按严重度：高 1 · 中 0 · 低 0" in stats and "已关闭 1" in stats
    assert "全部反馈（1 条）" in zh("li", "反馈 列表 全部", channel="g618")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("反馈 详情 F9", "S618 中没有反馈 F9"),
        ("反馈 采纳 X1", "「X1」不是反馈编号"),
        ("反馈 「慢」 严重度 紧急", "高 | 中 | 低"),
        ("反馈 采纳 F1", "只有组长（lead）或流程owner可以执行此操作"),
        ("反馈 关闭 F1 「好了」", "只有已采纳或已转待办的反馈才能 反馈 关闭"),
    ],
)
def test_bad_input_in_chinese_changes_nothing(zh, line: str, expected: str) -> None:  # noqa: ANN001
    zh("li", "反馈 「慢」", channel="g618")
    before = zh.snapshot()
    user = "wang" if "关闭" in line else "li"
    reply = zh(user, line, channel="g618")
    assert expected in reply, reply
    assert "feedback" not in reply.lower()
    assert zh.snapshot() == before


def test_export_feedback_to_xlsx(team, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from bot.exports.run import export

    team("max", 'feedback "form asks twice" severity high step "submit"')
    team("vic", "feedback legend unclear")
    team.at("2026-11-19T15:30:00+08:00")
    team("lena", "feedback act F1 owner @max due 2026-11-27")
    team("lena", "feedback duplicate F2 F1")
    out = tmp_path / "feedback.xlsx"
    assert export(team.runtime.engine, ["feedback"], out, "LA", None, "en") == 2
    table = list(load_workbook(out)["Feedback"].iter_rows(values_only=True))
    assert table[0] == ("ID", "Feedback", "Severity", "Process step", "State", "Reported by",
                        "Reported at", "Triaged by", "Triaged at", "Triage note",
                        "Duplicate of", "Action item", "Item due", "Closed at", "Resolution")
    assert table[1] == ("F1", "form asks twice", "high", "submit", "acted on", "max",
                        datetime(2026, 11, 18, 10, 0), "lena", datetime(2026, 11, 19, 15, 30),
                        None, None, "A1", datetime(2026, 11, 27), None, None)
    assert table[2][:7] == ("F2", "legend unclear", "medium", None, "duplicate", "vic",
                            datetime(2026, 11, 18, 10, 0))
    assert table[2][10] == "F1"
    with team.runtime.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE project SET locale = 'zh-CN'")
    export(team.runtime.engine, ["feedback"], out, "LA", None, "en")
    sheet = load_workbook(out)["问题记录表"]
    assert sheet["A1"].value == "编号" and sheet["E2"].value == "已转待办"
    assert sheet["M2"].number_format == "yyyy-mm-dd" and sheet["G2"].number_format.startswith(
        "yyyy-mm-dd hh")


def test_a_feedback_round_trip_on_every_database(any_db_url) -> None:  # noqa: ANN001
    from conftest import SETUP, make_chat

    chat = make_chat(any_db_url)
    try:
        for user, line in SETUP:
            chat(user, line)
        for n in range(3):
            chat("vic", f'feedback "report {n}" severity high step "submit"')
        chat("max", "feedback minor one severity low", channel="dm")
        chat("lena", "feedback act F1 owner @max due fri")
        chat("lena", "feedback duplicate F3 F2")
        chat("olivia", 'feedback close F1 "done"')
        assert "Open feedback (2):" in chat("max", "feedback list")
        assert "Open high-severity feedback (1):" in chat("max", "feedback list high")
        stats = chat("max", "feedback stats")
        assert "By severity: high 3 · medium 0 · low 1" in stats
        assert "- submit: 3" in stats and "- (no step): 1" in stats
        assert "new 2 · accepted 0 · rejected 0 · duplicate 1 · acted on 0 · closed 1" in stats
        assert [to for to, _ in told(chat)] == ["vic", "vic", "vic"]
    finally:
        chat.runtime.engine.dispose()


def test_long_chinese_lists_and_digests_fit_slack_and_dingtalk(zh) -> None:  # noqa: ANN001
    from bot.adapters.dingtalk.render import DingTalkRenderer
    from bot.adapters.slack.render import OutboxRenderer

    long_text = "审批单提交后系统没有提示成本中心校验失败的原因" * 40  # 920 characters
    for n in range(35):
        zh("li", f"反馈 「{long_text}{n:02d}」 严重度 高", channel="g618")
    for line in ("反馈 列表 全部", "周报 立即", "反馈 详情 F35"):
        (reply,) = zh.runtime.dispatcher.handle(zh.adapter.inbound(line))
        assert reply.template != "error", reply.data
        payload = DingTalkRenderer().for_reply(reply, dm=False).to_payload()
        assert len(payload.encode("utf-8")) < 20_000, line
        assert OutboxRenderer().fits(reply.template, reply.data, reply.locale), line
    listing = zh("li", "反馈 列表 全部", channel="g618")
    assert "全部反馈（35 条）" in listing and "另有 5 项" in listing


def test_the_weekly_digest_job_reports_new_feedback_once(tmp_path) -> None:  # noqa: ANN001
    from support_scheduler import at, run_tick, say, seed_project, sqlite_runtime

    runtime = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(runtime)
    runtime.clock.set(at("2026-11-17T11:00"))
    say(runtime, "cid", 'feedback "the form times out" severity high')
    say(runtime, "cid", 'feedback "labels are small" severity low')

    def digest(when: str) -> str:
        (text,) = [x for _, x in run_tick(runtime, at(when)) if x.startswith("📊")]
        return text

    first = digest("2026-11-20T17:00")
    assert "New feedback since the last digest (2):" in first
    assert "F2 [low] labels are small" in first
    assert "Open high-severity feedback (1):" in first and "F1 [high] the form times out" in first
    runtime.clock.set(at("2026-11-23T10:00"))
    say(runtime, "cid", 'feedback "a third one"')
    say(runtime, "bob", 'feedback reject F1 "cannot reproduce"')
    second = digest("2026-11-27T17:00")
    assert "New feedback since the last digest (1):" in second and "F3 [medium]" in second
    assert "labels are small" not in second and "high-severity" not in second
    runtime.engine.dispose()
