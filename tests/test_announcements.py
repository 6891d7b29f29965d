"""Announcements (正式发文) and read confirmation through the core (console).

The `team` fixture: project LA in #launch (Asia/Shanghai, calendar cn, 2026-11-18 a
Wednesday); olivia process owner (Marketing), lena lead (Legal), max member
(Marketing), vic viewer (Legal); Marketing's head mona and Legal's head leo are not
members. Here sam (Marketing) is in a department but in no project.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from support_scheduler import rows

from bot.readiness import checklist
from storage.announcements import AnnouncementRecipient
from storage.models import Department, Person, Project

SEND = ('announce "New approval SOP" "Read the SOP before Monday" to dept Marketing '
        "confirm-by 2026-11-25 required link https://docs.example/sop")


@pytest.fixture
def an(team):  # noqa: ANN001, ANN201
    with Session(team.runtime.engine) as db:
        marketing = db.exec(select(Department).where(Department.name == "Marketing")).one()
        db.add(Person(platform="console", user_id="sam", display_name="sam", name_key="sam",
                      department_id=marketing.id))
        db.commit()
    return team


def confirmed(chat) -> dict[str, bool]:  # noqa: ANN001
    with Session(chat.runtime.engine) as db:
        found = db.exec(select(AnnouncementRecipient, Person).join(
            Person, Person.id == AnnouncementRecipient.person_id)).all()
        return {p.display_name: r.confirmed_at is not None for r, p in found}


def targets(chat, kind: str = "announcement") -> list[str]:  # noqa: ANN001
    return sorted(r.user_id or "#" + (r.channel_id or "") for r in rows(chat.runtime, kind=kind))


def test_a_department_gets_it_in_the_channel_and_by_dm(an) -> None:  # noqa: ANN001
    reply = an("lena", SEND)
    assert "N1 New approval SOP sent to 3 people (dept Marketing)" in reply
    assert confirmed(an) == {"olivia": False, "max": False, "sam": False}
    assert targets(an) == ["#launch", "max", "olivia", "sam"]
    sent = {r.user_id or r.channel_id: r.payload for r in rows(an.runtime, kind="announcement")}
    assert "LA/N1 New approval SOP" in sent["sam"] and "Read the SOP before Monday" in sent["sam"]
    assert "Confirm you have read it: read LA/N1" in sent["sam"]
    assert "Please confirm by Wed 2026-11-25." in sent["sam"]
    assert "read LA/N1" not in sent["launch"] and "https://docs.example/sop" in sent["launch"]


def test_all_means_every_member_and_people_by_mention(an) -> None:  # noqa: ANN001
    assert "sent to 4 people (everyone in the project)" in an(
        "olivia", 'announce "Kick-off" "We start Monday" to all')
    assert targets(an) == ["#launch", "lena", "max", "olivia", "vic"]
    assert "sent to 2 people (@mona @leo)" in an(
        "olivia", 'announce "Heads" "Please brief your teams" to @mona,@leo')


def test_a_non_member_confirms_from_the_dm_and_twice_changes_nothing(an) -> None:  # noqa: ANN001
    an("lena", SEND)
    assert "you confirmed reading LA/N1 New approval SOP" in an("sam", "read N1", channel="dm")
    assert confirmed(an)["sam"] is True
    before = an.snapshot()
    again = an("sam", "read N1", channel="dm")
    assert "You already confirmed LA/N1 New approval SOP on Wed 2026-11-18" in again
    assert an.snapshot() == before
    assert "N1 was not sent to you" in an("lena", "read N1")
    assert "你已确认阅读 LA/N1" not in an("max", "已读 N1")  # an English project
    assert confirmed(an) == {"olivia": False, "max": True, "sam": True}


def test_status_per_department_with_names(an) -> None:  # noqa: ANN001
    an("lena", 'announce "Kick-off" "We start Monday" to dept Marketing,Legal')
    an("max", "read N1")
    an("vic", "read LA/N1", channel="dm")
    shown = an("vic", "announce status N1")
    assert "N1 Kick-off: 2/5 confirmed" in shown.replace("LA/", "")
    assert "Legal: 1/2 confirmed" in shown and "Marketing: 1/3 confirmed" in shown
    assert "✔ confirmed: max" in shown and "… not yet: olivia, sam" in shown
    assert "✔ confirmed: vic" in shown and "… not yet: lena" in shown
    assert shown.index("Legal:") < shown.index("Marketing:")
    assert "not a member" in an("sam", "announce status LA/N1", channel="dm")


def test_only_leads_and_the_process_owner_announce(an) -> None:  # noqa: ANN001
    assert "Only a lead" in an("max", 'announce "x" "y" to all')
    assert "Only a lead" in an("vic", 'announce "x" "y" to all')
    assert rows(an.runtime, kind="announcement") == []


@pytest.mark.parametrize(("line", "expected"), [
    ('announce "Only a title"', "Missing <text>"),
    ('announce "T" "text"', "Missing <recipients (to all|dept <A>|@user)>"),
    ('announce "T" "text" to everybody', '"everybody" is not a recipient'),
    ('announce "T" "text" to dept Finance', "Finance"),
    ('announce "T" "text" to all confirm-by 2026-11-01', "past"),
    ('announce "T" "text" to all confirm-by', "Missing <confirm-by <date>>"),
    ('announce "T" "text" to all link javascript:alert(1)', "is not a link"),
    ('announce "T" "text" to all link https://a.example/x) more', "I did not expect"),
    ('announce "T" "text" to all required yes', "I did not expect \"yes\""),
    ('announce "' + "t" * 201 + '" "text" to all', "title is too long"),
    ("read X1", "is not an announcement id"),
    ("read N9", "There is no announcement N9 in LA"),
])
def test_bad_input_in_english_changes_nothing(an, line: str, expected: str) -> None:  # noqa: ANN001
    before = an.snapshot()
    reply = an("lena", line)
    assert expected in reply, reply
    assert an.snapshot() == before


def test_chinese_words_and_bad_input_in_chinese(chat) -> None:  # noqa: ANN001
    chat("wang", "项目 创建 上线审批 编号 SX 语言 中文", channel="g")
    chat("wang", "部门 新增 市场部 主管 @wang", channel="g")
    chat("wang", "成员 新增 @li 部门 市场部 角色 组长", channel="g")
    chat("wang", "成员 新增 @zhao 部门 市场部", channel="g")
    sent = chat("li", "通知 「新审批流程」 「请周一前阅读」 发给 部门 市场部 "
                "确认截止 2026-11-25 必读", channel="g")
    assert "N1 新审批流程 已发给 2 人（部门 市场部）" in sent
    assert "你已确认阅读 SX/N1 新审批流程" in chat("li", "已读 N1", channel="dm")
    assert "无需再次确认" in chat("li", "已读 N1", channel="dm")
    status = chat("wang", "通知 进度 N1", channel="g")
    assert "市场部：已确认 1/2" in status and "… 尚未确认：zhao" in status
    before = chat.snapshot()
    assert "不是接收人" in chat("li", "通知 「标题」 「正文」 发给 大家", channel="g")
    assert "缺少 <内容>" in chat("li", "通知 「标题」", channel="g")
    assert "不是链接" in chat("li", "通知 「标」 「文」 发给 全员 链接 ftp://x", channel="g")
    assert "不是通知编号" in chat("li", "已读 R1", channel="g")
    assert "SX/N1 没有发给你" in chat("wang", "已读 N1", channel="g")
    assert chat.snapshot() == before


def test_readiness_names_required_announcements_with_counts(an) -> None:  # noqa: ANN001
    an("lena", SEND)
    an("lena", 'announce "FYI" "Nothing to do" to all')

    def gaps() -> list:
        with Session(an.runtime.engine) as db:
            project = db.exec(select(Project)).one()
            lines = dict(checklist(db, an.runtime.clock, project))
        return lines["announcements"]

    found = gaps()
    assert [(g.key, dict(g.params)) for g in found] == [("announce_text.gap", {
        "id": "N1", "title": "New approval SOP", "confirmed": 0, "total": 3, "missing": 3})]
    for who in ("olivia", "max"):
        an(who, "read N1")
    assert gaps()[0].params["missing"] == 1
    an("sam", "read N1", channel="dm")
    assert gaps() == []  # FYI (not required) is never a gap


def test_the_digest_lists_open_announcements_with_counts(an) -> None:  # noqa: ANN001
    an("lena", SEND)
    an("max", "read N1")
    digest = an("lena", "digest now")
    assert "Announcements awaiting confirmation (1):" in digest
    assert "N1 New approval SOP: 1/3 confirmed · confirm by Wed 2026-11-25" in digest


def test_a_long_status_is_paged_to_fit_slack_and_dingtalk() -> None:
    from datetime import date

    from bot.announcements_view import NAMES_A_LINE, pages
    from bot.outbox.enqueue import renderer as renderer_of

    names = [f"Person number {n:04d} of Marketing" for n in range(6000)]
    lines = [{"kind": "dept", "department": "Marketing", "confirmed": 0, "total": 6000}]
    lines += [{"kind": "missing", "names": ", ".join(names[i : i + NAMES_A_LINE])}
              for i in range(0, len(names), NAMES_A_LINE)]
    head = {"ref": "LA/N1", "title": "SOP", "confirmed": 0, "total": 6000,
            "sent_on": date(2026, 11, 18), "confirm_by": None}
    for renderer in (renderer_of("slack"), renderer_of("dingtalk")):  # what the handler asks
        chunks = pages(lines, lambda chosen: renderer.fits(  # noqa: B023
            "announcement_status", {**head, "lines": chosen, "page": 1}, "en"))
        assert len(chunks) > 1
        assert [line for chunk in chunks for line in chunk] == lines  # nothing lost
        for n, chunk in enumerate(chunks, start=1):
            assert renderer.fits("announcement_status", {**head, "lines": chunk, "page": n}, "en")
