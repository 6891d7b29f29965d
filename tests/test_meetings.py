"""The weekly meeting through the dispatcher: agenda sections, minutes, decisions,
permissions and Chinese aliases (the `team` fixture: LA in Shanghai, Wed 2026-11-18)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.meeting_time import occurrences
from bot.workdays import WeekendsCalendar, calendar_for
from storage.meetings import MeetingSlot
from storage.models import Project

DENIED = ("Only a lead", "Viewers can only read", "not a member")


def denied(reply: str) -> bool:
    return any(marker in reply for marker in DENIED)


def section(agenda: str, title: str) -> str:
    """The lines of one numbered agenda section (up to the next blank line)."""
    lines = agenda.split("\n")
    numbered = [i for i, line in enumerate(lines) if f". {title}" in line]
    start = (numbered or [i for i, line in enumerate(lines) if line.startswith(title)])[0]
    block = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        block.append(line.strip())
    return "\n".join(block)


def test_meeting_set_answers_with_the_next_meeting(team) -> None:
    reply = team("olivia", "meeting set thu 14:00")
    assert "every Thursday at 14:00 (Asia/Shanghai), 60 min" in reply
    assert "Next: Thu 2026-11-19 14:00 (Asia/Shanghai)" in reply
    reply = team("olivia", "meeting set fri 09:30 tz Europe/London post-agenda 48h-before mins 90")
    assert "every Friday at 09:30 (Europe/London), 90 min" in reply
    assert "48 h before" in reply


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("meeting set someday 14:00", "is not a weekday"),
        ("meeting set thu 25:00", "HH:MM"),
        ("meeting set thu 14:00 tz Mars/Base", "time zone"),
        ("meeting set thu 14:00 post-agenda soon", "hours before"),
        ("meeting set thu 14:00 mins 2", "whole number from 5 to 480"),
    ],
)
def test_bad_meeting_set_changes_nothing(team, line, expected) -> None:
    before = team.snapshot()
    reply = team("olivia", line)
    assert expected in reply, reply
    assert team.snapshot() == before


def test_generated_sections_match_the_items_states(team) -> None:
    team("olivia", "meeting set thu 14:00")
    team("olivia", 'action add "Late report" owner @max due today')  # A1: overdue tomorrow
    team("olivia", 'action add "Stuck contract" owner @lena due 2026-11-30')  # A2: blocked
    team("lena", 'action block A2 "waiting for Legal"')
    team("olivia", 'action add "Soon form" owner @max due 2026-11-24')  # A3: before next
    team("olivia", 'action add "Far plan" owner @max due 2026-12-20')  # A4: after next
    team("olivia", 'action add "Finished" owner @max due 2026-11-24')  # A5: done
    team("max", "done A5")
    team("olivia", "project kpi cycle baseline 15 target 7 unit d")
    team("olivia", "project kpi cycle record 12")
    team("max", 'agenda add "Pilot scope" mins 20')
    team.at("2026-11-19T09:00:00+08:00")  # Thursday morning: A1 is a day late
    agenda = team("vic", "agenda show")
    assert "1. Topics" in agenda
    assert section(agenda, "Topics") == "T1 Pilot scope · max · 20 min"
    overdue = section(agenda, "Overdue items")
    assert "A1 Late report" in overdue and "A2" not in overdue and "A3" not in overdue
    blocked = section(agenda, "Blocked items")
    assert "A2 Stuck contract" in blocked and "waiting for Legal" in blocked
    assert "A1" not in blocked
    soon = section(agenda, "Due before the next meeting (by Wed 2026-11-25)")
    assert "A3 Soon form" in soon
    assert "A4" not in agenda and "A5" not in agenda
    assert section(agenda, "KPI status") == (
        "cycle: 15 → 12 → 7 d (38% of the way) · as of Wed 2026-11-18")
    assert "escalations" not in agenda.lower()  # empty sections are left out
    assert "Carried over" not in agenda
    numbers = [line.split(".")[0] for line in agenda.split("\n") if line[1:3] == ". "]
    assert numbers == ["1", "2", "3", "4", "5"]


def test_open_escalations_are_on_the_agenda(team) -> None:
    team("olivia", "meeting set thu 14:00")
    team("olivia", 'action add "Legal sign-off" owner @max due 2026-11-25')
    assert "escalations" not in team("olivia", "agenda show").lower()
    team("max", 'escalate A1 "Legal has not answered"')
    agenda = team("olivia", "agenda show")
    found = section(agenda, "Open escalations")
    assert "E1" in found and "A1 Legal sign-off" in found and "Legal has not answered" in found
    team("olivia", 'escalation resolve E1 "answered"')
    assert "escalations" not in team("olivia", "agenda show").lower()


def test_long_sections_are_capped(team) -> None:
    team("olivia", "meeting set thu 14:00")
    for i in range(13):
        team("max", f'agenda add "Topic {i}" mins 5')
    agenda = team("olivia", "agenda show")
    assert "T10 Topic 9" in agenda and "T11" not in agenda
    assert "… and 3 more" in agenda
    assert "Topics: 65 of 60 minutes ⚠ over-full" in agenda


def test_minutes_list_only_that_meetings_decisions_items_and_attendees(team) -> None:
    team("olivia", "meeting set wed 14:00")
    team("olivia", 'decision "Outside any meeting"')
    team.at("2026-11-18T14:00:00+08:00")
    assert "has started" in team("lena", "meeting start")
    team("max", "here")
    team("max", 'decision "Week one choice"')
    team("max", 'action add "Week one item" owner @max due fri')
    team("lena", "meeting end")
    team.at("2026-11-25T14:02:00+08:00")
    team("lena", "meeting start")
    assert "✓ lena checked in." in team("lena", "到")
    assert "already checked in" in team("lena", "here")
    team("olivia", "here")
    team("lena", 'decision "Week two choice"')
    team("lena", 'add Week two item @lena 2026-12-04')
    minutes = team("lena", "meeting end")
    assert "Minutes — LA Launch approval, Wed 2026-11-25" in minutes
    assert "Present (2): lena, olivia" in minutes
    assert "Absent (1): max" in minutes
    assert "1. Week two choice · lena" in minutes
    assert "A2 Week two item · lena" in minutes
    assert "Week one" not in minutes and "Outside" not in minutes and "A1" not in minutes
    history = team("vic", "meeting history")
    assert history.index("Wed 2026-11-25 · held · present 2") < history.index(
        "Wed 2026-11-18 · held · present 1"
    )


def test_covered_topics_and_carry_over(team) -> None:
    team("olivia", "meeting set wed 15:00")
    team("max", 'agenda add "Covered one"')
    team("max", 'agenda add "Left over"')
    team("olivia", "meeting start")
    team("lena", "agenda done T1")
    minutes = team("olivia", "meeting end")
    assert section(minutes, "Topics covered (1)") == "T1 Covered one · max · 10 min"
    assert "T2 Left over · max · 10 min" in section(minutes, "Topics not covered")
    agenda = team("olivia", "agenda show")
    assert "Wed 2026-11-25 15:00" in agenda  # the next one: this week's is over
    assert section(agenda, "Carried over from last time") == (
        "T2 Left over · max · 10 min · carried over"
    )
    assert "T1" not in agenda
    assert "no longer" not in team("lena", "agenda remove T2")
    assert "T2 is not on the agenda any more (removed)" in team("lena", "agenda done T2")
    assert "T1 is not on the agenda any more (done)" in team("lena", "agenda remove T1")
    reply = team("olivia", "meeting set wed 15:30")  # today's meeting is over: next week's
    assert "Next: Wed 2026-11-25 15:30" in reply and "Wed 2026-11-25 15:30" in team(
        "olivia", "agenda show")


def test_a_meeting_set_before_today_s_meeting_names_today(team) -> None:
    assert "Next: Wed 2026-11-18 15:00" in team("olivia", "meeting set wed 15:00")


def test_commands_need_a_running_meeting_or_a_slot(team) -> None:
    assert "has no weekly meeting" in team("olivia", "agenda show")
    assert "has no weekly meeting" in team("olivia", "meeting start")
    assert "No meeting is running" in team("olivia", "meeting end")
    assert "No meeting is running" in team("max", "here")
    team("olivia", "meeting set thu 14:00")
    team("olivia", "meeting start")
    assert "already running" in team("olivia", "meeting start")
    team("olivia", "meeting end")
    assert "already taken place" in team("olivia", "meeting start")
    assert "is not a topic id" in team("olivia", "agenda done X1")
    assert "LA has no topic T9" in team("olivia", "agenda done T9")


def test_decision_search_in_both_languages(team) -> None:
    team("max", 'decision "Adopt Plan B for the pilot"')
    team("max", "decision 「采用方案B，下周在华东区试点」")
    team("max", 'decision "Keep the old form"')
    found = team("vic", "decision search plan")
    assert "Adopt Plan B for the pilot" in found and "old form" not in found
    found = team("vic", "decision search 试点")
    assert "采用方案B，下周在华东区试点" in found and "Adopt" not in found
    assert "Decisions matching “PLAN B” (1)" in team("vic", "decision search PLAN B")
    assert "No decision matches “100%”" in team("vic", "decision search 100%")


READ = ["agenda show", "meeting history", "decision search x"]
CONTRIBUTE = ['agenda add "A topic"', 'decision "A choice"']
MANAGE = ["meeting set thu 14:00", "meeting start", "meeting end", "meeting off"]


@pytest.mark.parametrize("user", ["vic", "max", "lena", "olivia"])
@pytest.mark.parametrize("line", READ)
def test_everyone_reads_the_meeting(team, user, line) -> None:
    team("olivia", "meeting set thu 14:00")
    assert not denied(team(user, line))


@pytest.mark.parametrize("line", [*READ, *CONTRIBUTE, "here"])
def test_outsiders_see_nothing(team, line) -> None:
    team("olivia", "meeting set thu 14:00")
    assert "not a member" in team("zed", line)


@pytest.mark.parametrize(("user", "allowed"), [("vic", False), ("max", True), ("lena", True)])
@pytest.mark.parametrize("line", [*CONTRIBUTE, "here"])
def test_contributing_needs_a_member(team, user, allowed, line) -> None:
    team("olivia", "meeting set thu 14:00")
    team("olivia", "meeting start")
    assert denied(team(user, line)) is not allowed


@pytest.mark.parametrize(("user", "allowed"), [("vic", False), ("max", False), ("lena", True)])
@pytest.mark.parametrize("line", [*MANAGE, "agenda remove T1", "agenda done T1"])
def test_running_the_meeting_needs_a_lead(team, user, allowed, line) -> None:
    team("olivia", "meeting set thu 14:00")
    team("max", 'agenda add "A topic"')
    if line == "meeting end":
        team("olivia", "meeting start")
    before = team.snapshot()
    reply = team(user, line)
    assert denied(reply) is not allowed, reply
    if not allowed:
        assert team.snapshot() == before


def test_chinese_commands(chat) -> None:
    chat("olivia", '项目 创建 "上线审批" 键 SP 语言 zh-CN')
    chat("olivia", "部门 新增 市场部 主管 @mona")
    chat("olivia", "成员 新增 @max 部门 市场部")
    assert "每周四 14:00（Asia/Shanghai），60 分钟" in chat("olivia", "会议 设置 周四 14:00")
    added = chat("max", "议程 新增 「试点范围」 时长 20")
    assert "已加入议题 T1：试点范围 · max · 20 分钟" in added
    assert "1. 议题" in chat("max", "议程 查看")
    assert "周例会已开始" in chat("olivia", "会议 开始")
    assert "max 已签到" in chat("max", "到")
    chat("max", "决议 「华东区先试点」")
    minutes = chat("olivia", "会议 结束")
    assert "会议纪要" in minutes and "出席（1）：max" in minutes
    assert "已提前于" in minutes  # Thursday's meeting, held on Wednesday
    assert "华东区先试点" in chat("max", "决议 搜索 试点")
    assert "已召开" in chat("max", "会议 历史")


@pytest.mark.parametrize(("line", "expected"), [
    ("会议 设置 周三 09:30 时长 0", "分钟数 须为 5 到 480 之间的整数"),
    ("会议 设置 周三 09:30 提前发布 0h", "议程提前时间 须为 1 到 168 之间的整数"),
    ("会议 设置 周三 09:30 提前发布 3", "（例如 24h）"),
    ("议程 新增 「太长」 时长 500", "分钟数 须为 1 到"),
    ("会议 历史 0", "数量 须为 1 到 20"),
    ("议程 完成 T1", "T1 已不在议程上（已讨论）"),
    ("议程 完成 T2", "T2 已不在议程上（已移除）"),
])
def test_a_chinese_refusal_names_fields_and_states_in_chinese(chat, line, expected) -> None:
    chat("olivia", '项目 创建 "上线审批" 键 SP 语言 zh-CN')
    chat("olivia", "会议 设置 周四 14:00")
    chat("olivia", "议程 新增 「已讨论的」")
    chat("olivia", "议程 新增 「已移除的」")
    chat("olivia", "会议 开始")
    chat("olivia", "议程 完成 T1")
    chat("olivia", "议程 移除 T2")
    reply = chat("olivia", line)
    assert expected in reply, reply
    assert not re.search(r"[A-Za-z]{2,}", reply.replace("HH:MM", "")), reply


def test_occurrences_name_the_holiday_when_the_calendar_can() -> None:
    class Named(WeekendsCalendar):
        def is_working(self, d: date) -> bool:
            return super().is_working(d) and d != date(2026, 12, 24)

        def holiday_name(self, d: date, locale: str = "en") -> str:
            return "Christmas Eve" if locale == "en" else "平安夜"

    project = Project(key="X", name="X", timezone="UTC", calendar="weekends", created_at=None)
    slot = MeetingSlot(project_id=1, weekday=3, at="10:00", next_at=None)
    first, second = list(occurrences(slot, project, Named(), date(2026, 12, 21)))[:2]
    assert (first.day, first.moved_from, first.holiday) == (
        date(2026, 12, 25), date(2026, 12, 24), "Christmas Eve"
    )
    assert (second.day, second.moved_from) == (date(2026, 12, 31), None)
    plain = list(occurrences(slot, project, calendar_for("cn"), date(2026, 9, 28)))[0]
    assert (plain.day, plain.moved_from) == (date(2026, 10, 8), date(2026, 10, 1))
    assert plain.holiday == "National Day"
    project.locale = "zh-CN"
    chinese = list(occurrences(slot, project, calendar_for("cn"), date(2026, 9, 28)))[0]
    assert chinese.holiday == "国庆节"


def test_a_meeting_in_its_own_zone_is_checked_on_its_local_date() -> None:
    """Wed 30 Sep 21:00 in New York is Thu 1 Oct (National Day) in Shanghai: the meeting's
    local date decides, so it is not moved."""
    project = Project(key="X", name="X", timezone="Asia/Shanghai", calendar="cn", created_at=None)
    slot = MeetingSlot(project_id=1, weekday=2, at="21:00", tz="America/New_York", next_at=None)
    first = list(occurrences(slot, project, calendar_for("cn"), date(2026, 9, 28)))[0]
    assert (first.day, first.moved_from, first.tz) == (date(2026, 9, 30), None, "America/New_York")
    assert first.start.isoformat() == "2026-10-01T01:00:00+00:00"


def test_meeting_off_stops_the_agenda_and_keeps_the_topics(team) -> None:
    team("olivia", "meeting set thu 14:00")
    team("max", 'agenda add "Kept"')
    assert "is off" in team("lena", "meeting off")
    assert "has no weekly meeting" in team("olivia", "agenda show")
    assert "has no weekly meeting" in team("olivia", "meeting off")
    team("olivia", "meeting set fri 10:00")
    assert "T1 Kept" in team("olivia", "agenda show")


def test_minutes_of_a_meeting_held_ahead_of_its_day_say_when_it_was_held(team) -> None:
    team("olivia", "meeting set thu 14:00")
    team("olivia", "meeting start")  # Wednesday: Thursday's meeting, held early
    early = team("olivia", "meeting end")
    assert "Minutes — LA" in early and "Held early, on Wed 2026-11-18." in early, early
    team.at("2026-11-26T14:00:00+08:00")
    team("olivia", "meeting start")  # on its day
    assert "Held early" not in team("olivia", "meeting end")
