"""Announcement reminders and the department heads' lists (on the project calendar's
working days, once each, across ticks and restarts), and the export cell by cell.

The `team` fixture: project LA (Asia/Shanghai, calendar cn; 2026-11-18 a Wednesday);
Marketing (head mona): olivia (process owner), max; Legal (head leo): lena, vic.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Chat, make_chat
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.exports.run import export
from bot.jobs.announcements import announcement_sweep
from bot.jobs.registry import JobEnv
from storage.delivery_tables import OutboxMessage
from storage.models import Department

SEND = ('announce "New approval SOP" "Read it before Wednesday" to dept Marketing,Legal '
        "confirm-by 2026-11-25 required")


@pytest.fixture
def sent(team: Chat) -> Chat:
    with Session(team.runtime.engine) as db:  # Legal has no head: its list goes to olivia
        legal = db.exec(select(Department).where(Department.name == "Legal")).one()
        legal.head_id = None
        db.add(legal)
        db.commit()
    team("lena", SEND)
    team("max", "read N1")
    return team


def sweep(chat: Chat, at: str) -> list[OutboxMessage]:
    """Run the announcements job at `at`; the outbox rows it queued."""
    with Session(chat.runtime.engine) as db:
        seen = {r.id for r in db.exec(select(OutboxMessage)).all()}
    chat.at(at)
    announcement_sweep(JobEnv(chat.runtime.engine, chat.runtime.clock, chat.runtime.settings))
    with Session(chat.runtime.engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.id not in seen]


def test_one_reminder_the_working_day_before_then_the_heads_once(sent: Chat) -> None:
    days = {day: sweep(sent, f"2026-11-{day}T09:05:00+08:00") for day in ("19", "20", "23")}
    assert days == {"19": [], "20": [], "23": []}
    tuesday = sweep(sent, "2026-11-24T09:05:00+08:00")  # the working day before Wednesday
    assert sorted((r.kind, r.user_id) for r in tuesday) == [
        ("announcement", "lena"), ("announcement", "olivia"), ("announcement", "vic")
    ]  # not max, who confirmed
    assert "Reminder: please confirm by Wed 2026-11-25 that you have read LA/N1" in \
        tuesday[0].payload and "read LA/N1" in tuesday[0].payload
    assert sweep(sent, "2026-11-24T16:00:00+08:00") == []  # a second tick that day
    sent("vic", "read N1", channel="dm")
    assert sweep(sent, "2026-11-25T09:05:00+08:00") == []  # the day itself: not late yet
    late = {r.user_id: r.payload for r in sweep(sent, "2026-11-26T09:05:00+08:00")}
    assert set(late) == {"mona", "olivia"}
    assert "In Marketing, 1 has not confirmed reading it yet" in late["mona"]
    assert "olivia" in late["mona"]
    assert "Legal has no department head, so this comes to you as the process owner" in \
        late["olivia"] and "lena" in late["olivia"] and "vic" not in late["olivia"]
    assert sweep(sent, "2026-11-26T15:00:00+08:00") == []
    assert sweep(sent, "2026-11-27T09:05:00+08:00") == []


def test_people_in_no_department_are_listed_to_the_process_owner(team: Chat) -> None:
    team("lena", 'announce "Heads" "Brief your teams" to @mona @nina confirm-by 2026-11-25')
    team("mona", "read N1", channel="dm")
    late = sweep(team, "2026-11-26T09:05:00+08:00")
    assert [(r.kind, r.user_id) for r in late] == [("announcement_late", "olivia")]
    assert "1 person in no department has not confirmed reading it yet; as the process " \
        "owner you get their names:" in late[0].payload and "nina" in late[0].payload


def test_a_restart_and_a_second_replica_send_nothing_more(sent: Chat) -> None:
    assert len(sweep(sent, "2026-11-24T09:05:00+08:00")) == 3
    restarted = make_chat(sent.runtime.settings.database_url)
    try:
        assert sweep(restarted, "2026-11-24T09:30:00+08:00") == []
        assert len(sweep(restarted, "2026-11-26T09:05:00+08:00")) == 2
        assert sweep(sent, "2026-11-26T09:06:00+08:00") == []  # the other process
    finally:
        restarted.runtime.engine.dispose()


def test_a_missed_morning_lists_late_ones_once_and_never_reminds_late(sent: Chat) -> None:
    assert sweep(sent, "2026-11-23T09:05:00+08:00") == []  # the job ran on Monday
    caught_up = sweep(sent, "2026-11-30T09:30:00+08:00")  # then not until next Monday
    assert sorted((r.kind, r.user_id) for r in caught_up) == [
        ("announcement_late", "mona"), ("announcement_late", "olivia")
    ]


def test_zh_reminder_and_list_name_the_chinese_command(chat: Chat) -> None:
    chat("wang", "项目 创建 上线审批 编号 SX 语言 中文", channel="g")
    chat("wang", "部门 新增 市场部 主管 @zhang", channel="g")
    chat("wang", "成员 新增 @li 部门 市场部 角色 组长", channel="g")
    with Session(chat.runtime.engine) as db:
        dept = db.exec(select(Department)).one()
        dept.head_id = None
        db.add(dept)
        db.commit()
    assert "已发给 1 人" in chat(
        "li", "通知 「新流程」 「请阅读」 发给 部门 市场部 确认截止 2026-11-25", channel="g")
    tuesday = sweep(chat, "2026-11-24T09:05:00+08:00")
    assert [r.user_id for r in tuesday] == ["li"]
    assert "提醒：请在 11月25日(周三) 前确认已阅读 SX/N1 新流程" in tuesday[0].payload
    assert "已读 SX/N1" in tuesday[0].payload
    late = sweep(chat, "2026-11-26T09:05:00+08:00")
    assert [r.user_id for r in late] == ["wang"]
    assert "市场部 没有部门负责人，改由你（流程owner）接收" in late[0].payload


def test_export_one_row_per_recipient_cell_by_cell(sent: Chat, tmp_path: Path) -> None:
    sent.at("2026-11-19T15:30:00+08:00")
    sent("vic", "read N1", channel="dm")
    out = tmp_path / "announcements.xlsx"
    assert export(sent.runtime.engine, ["announcements"], out, "LA", None, "en") == 4
    sheet = load_workbook(out)["Announcements"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("N-id", "Title", "Sent", "Confirm by", "Required", "Recipient",
                        "Department", "Confirmed at")
    by_name = {r[5]: r for r in table[1:]}
    assert by_name["max"] == ("N1", "New approval SOP", datetime(2026, 11, 18),
                              datetime(2026, 11, 25), "yes", "max", "Marketing",
                              datetime(2026, 11, 18, 10, 0))
    assert by_name["vic"][6:] == ("Legal", datetime(2026, 11, 19, 15, 30))
    assert by_name["olivia"][6:] == ("Marketing", None)
    assert by_name["lena"][6:] == ("Legal", None)
    row = 2 + [r[5] for r in table[1:]].index("max")
    confirmed = sheet.cell(row=row, column=8)
    assert confirmed.is_date and confirmed.number_format == "yyyy-mm-dd hh:mm"
    csv = tmp_path / "announcements.csv"
    export(sent.runtime.engine, ["announcements"], csv, "LA", None, "zh-CN")
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "N-id,Title,Sent,Confirm by,Required,Recipient,Department," \
        "Confirmed at"  # the project's language decides the headers
    assert f"N1,New approval SOP,{date(2026, 11, 18)},2026-11-25,yes," in text


def test_a_long_heads_list_is_sent_in_pages_that_fit() -> None:
    from bot.announcements_view import head_notices
    from bot.outbox.enqueue import renderer
    from storage.announcements import Announcement, AnnouncementRecipient
    from storage.models import Person, Project

    project = Project(id=1, key="LA", name="Launch", locale="en", timezone="Asia/Shanghai")
    announcement = Announcement(id=7, project_id=1, seq=1, title="SOP", text="t", target="all",
                                confirm_by=date(2026, 11, 25), sent_at=datetime(2026, 11, 18),
                                sent_by=1)
    dept = Department(id=3, name="Marketing", head_id=2)
    names = {n: Person(id=n, platform="slack", user_id=f"U{n}", display_name=f"Person {n:05d}",
                       name_key="x") for n in range(2, 6002)}
    pending = [AnnouncementRecipient(announcement_id=7, project_id=1, person_id=n,
                                     department_id=3) for n in range(3, 6002)]
    notices = head_notices(project, announcement, pending, None, {3: dept}, names)
    assert len(notices) > 1 and {n.target.user_id for n in notices} == {"U2"}
    assert [n.dedupe_key for n in notices[:2]] == ["announce-late:7:3", "announce-late:7:3:2"]
    slack = renderer("slack")
    assert all(slack.fits(n.template, n.data, "en") for n in notices)
    listed = " ".join(line for n in notices for line in n.data["lines"])
    assert all(f"Person {n:05d}" in listed for n in range(3, 6002))  # nobody cut


def test_a_round_trip_on_every_database(any_db_url) -> None:  # noqa: ANN001
    from conftest import SETUP
    from support_scheduler import run_tick

    chat = make_chat(any_db_url)
    try:
        for user, line in SETUP:
            chat(user, line)
        assert "sent to 4 people" in chat("lena", SEND.replace("Marketing,Legal", "Marketing")
                                          .replace("dept Marketing", "all"))
        assert "you confirmed reading LA/N1" in chat("max", "read N1")
        assert "You already confirmed" in chat("max", "read LA/N1", channel="dm")
        assert "N1 New approval SOP: 1/4 confirmed" in chat("vic", "announce status N1")
        reminded = run_tick(chat.runtime, datetime.fromisoformat("2026-11-24T09:00:00+08:00"))
        assert sorted(t for t, x in reminded if "Reminder" in x) == ["@lena", "@olivia", "@vic"]
        assert run_tick(chat.runtime, datetime.fromisoformat("2026-11-24T10:00:00+08:00")) == []
        late = run_tick(chat.runtime, datetime.fromisoformat("2026-11-26T09:00:00+08:00"))
        assert sorted(t for t, x in late if "not confirmed reading" in x) == ["@leo", "@mona"]
    finally:
        chat.runtime.engine.dispose()
