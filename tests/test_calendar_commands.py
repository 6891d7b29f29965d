"""`calendar show|holiday|workday`: overrides, who may, replicas, bad input, history."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import SETUP, Chat, make_chat
from sqlmodel import select

from bot import workdays
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.workdays import calendar_for, reload_overrides, reset_overrides
from storage import calendar as overrides
from storage.engine import transaction
from storage.models import History

D = date.fromisoformat
CN = calendar_for("cn")
WEEKENDS = calendar_for("weekends")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_snapshot() -> Iterator[None]:
    reset_overrides()
    yield
    reset_overrides()  # never leak this test's overrides into another test's calendar


def _team(url: str, **settings: object) -> Chat:
    chat = make_chat(url, **settings)
    for user, line in SETUP:
        chat(user, line)
    return chat


@pytest.fixture
def lead_chat(sqlite_url: str) -> Iterator[Chat]:
    """No TASKFORCE_ADMINS: any lead or process owner may override."""
    chat = _team(sqlite_url)
    yield chat
    chat.runtime.engine.dispose()


@pytest.fixture
def admin_chat(sqlite_url: str) -> Iterator[Chat]:
    """TASKFORCE_ADMINS=ada,root: only they may override."""
    chat = _team(sqlite_url, admins="ada, root")
    yield chat
    chat.runtime.engine.dispose()


def test_holiday_override_changes_counts(lead_chat: Chat) -> None:
    assert CN.next_working_day(D("2027-02-11")) == D("2027-02-11")
    assert CN.working_days_after(D("2027-02-04"), D("2027-02-15")) == 3  # 11, 12, 15
    out = lead_chat("lena", 'calendar holiday 2027-02-11..2027-02-12 "春节"')
    assert "2027-02-11" in out and "2027-02-12" in out and "春节" in out
    assert "Mon 2027-02-15" in out  # the next working day after the range
    assert CN.next_working_day(D("2027-02-11")) == D("2027-02-15")
    assert CN.working_days_after(D("2027-02-04"), D("2027-02-15")) == 1
    assert CN.add_working_days(D("2027-02-04"), 1) == D("2027-02-15")
    assert CN.holiday_name(D("2027-02-11"), "zh-CN") == "春节"
    assert WEEKENDS.is_working(D("2027-02-11")) is True  # weekends ignores overrides


def test_workday_override_changes_counts_and_settles_the_year(lead_chat: Chat) -> None:
    assert CN.is_provisional(2027) is True
    assert CN.working_days_after(D("2027-02-19"), D("2027-02-22")) == 1
    out = lead_chat("olivia", "日历 调休上班 2027-02-20")
    assert "Sat 2027-02-20 is now a working day organisation-wide (调休 working day)" in out
    out = lead_chat("olivia", '日历 调休上班 2027-02-20 "Spring Festival make-up day"')
    assert "Spring Festival make-up day" in out
    assert CN.is_working(D("2027-02-20")) is True
    assert CN.next_working_day(D("2027-02-20")) == D("2027-02-20")
    assert CN.working_days_after(D("2027-02-19"), D("2027-02-22")) == 2
    assert WEEKENDS.is_working(D("2027-02-20")) is False
    assert CN.is_provisional(2027) is False
    assert "provisional" not in lead_chat("max", "calendar show 2027")


def test_a_later_override_replaces_the_earlier_and_history_keeps_both(lead_chat: Chat) -> None:
    lead_chat("lena", 'calendar workday 2027-10-09 "National Day make-up"')
    assert CN.is_working(D("2027-10-09")) is True
    lead_chat("olivia", 'calendar holiday 2027-10-09 "Company day"')
    assert CN.is_working(D("2027-10-09")) is False
    assert CN.holiday_name(D("2027-10-09")) == "Company day"
    with transaction(lead_chat.runtime.engine) as db:
        rows = overrides.all_overrides(db)
        assert [(r.day, r.kind, r.name, r.revision) for r in rows] == [
            (D("2027-10-09"), "holiday", "Company day", 2)
        ]
        logged = db.exec(select(History).where(History.entity == "calendar")).all()
    assert [(h.field, h.old, h.new, h.project_id) for h in logged] == [
        ("workday", None, "2027-10-09 workday National Day make-up", None),
        ("holiday", "2027-10-09 workday National Day make-up", "2027-10-09 holiday Company day",
         None),
    ]


def test_overrides_work_in_a_dm_without_a_project(admin_chat: Chat) -> None:
    out = admin_chat("ada", "calendar holiday 2027-03-01", channel="dm")
    assert "2027-03-01" in out and "day off" in out
    assert CN.is_working(D("2027-03-01")) is False
    assert "2027-03-01" in admin_chat("zed", "calendar show 2027", channel="dm")  # anyone reads


@pytest.mark.parametrize(
    ("user", "line"),
    [
        ("olivia", "calendar holiday 2027-03-01"),  # process owner, but not an administrator
        ("lena", "calendar workday 2027-03-06"),
        ("max", "日历 节假日 2027-03-01"),
    ],
)
def test_only_administrators_when_configured(admin_chat: Chat, user: str, line: str) -> None:
    before = admin_chat.snapshot()
    out = admin_chat(user, line)
    assert "Only an organisation administrator (TASKFORCE_ADMINS)" in out
    assert admin_chat.snapshot() == before
    assert CN.is_working(D("2027-03-01")) is True
    assert "2027-03-01" in admin_chat("root", "calendar holiday 2027-03-01")
    assert CN.is_working(D("2027-03-01")) is False


@pytest.mark.parametrize(("user", "channel"), [("max", "launch"), ("vic", "launch"), ("zed", "dm")])
def test_without_administrators_only_leads_may(lead_chat: Chat, user: str, channel: str) -> None:
    before = lead_chat.snapshot()
    out = lead_chat(user, "calendar holiday 2027-03-01", channel=channel)
    assert "Only a lead or process owner of a project" in out
    after = lead_chat.snapshot()
    after.pop("person"), before.pop("person")  # a first-time caller is registered
    assert after == before
    assert "2027-03-01" in lead_chat("lena", "calendar holiday 2027-03-01", channel="dm")


def test_show_2027_in_english_and_chinese(lead_chat: Chat) -> None:
    en = lead_chat("max", "calendar show 2027")
    assert "2027 is provisional" in en
    for name in ("New Year's Day", "Spring Festival", "National Day", "holidays package"):
        assert name in en
    lead_chat("olivia", 'project create "发布" key ZH locale zh-CN', channel="zh")
    zh = lead_chat("olivia", "日历 详情 2027", channel="zh")
    assert "2027 年为暂定日历" in zh
    for name in ("元旦", "春节", "国庆节", "休", "holidays 法定节日推算"):
        assert name in zh
    assert "provisional" not in zh and "New Year" not in zh
    settled = lead_chat("olivia", "日历 2026", channel="zh")
    assert "暂定" not in settled and "chinesecalendar 官方数据" in settled and "班" in settled


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("calendar holiday 2027-02-30", "not a real calendar date"),
        ("calendar holiday someday", "someday"),
        ("calendar holiday 2027-02-11..2027-02-05", "ends (Fri 2027-02-05) before it starts"),
        ("calendar holiday 2027-01-01..2027-03-15", "That range is 74 days; one override covers"),
        ("calendar holiday 2027-01-01..", "is not a date range"),
        ("calendar workday 2027-02-20..2027-02-21", "a 调休 working day is one date"),
        ("calendar holiday 1900-01-01", "from 1950 to 2100"),
        ("calendar show 20x7", "\"20x7\" is not a year"),
        ("calendar show 2027 2028", "2028"),
        ("calendar holiday", "Missing"),
        (f"calendar holiday 2027-03-01 \"{'x' * 81}\"", "81"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    lead_chat: Chat, line: str, expected: str
) -> None:
    before = lead_chat.snapshot()
    out = lead_chat("lena", line)
    assert expected in out
    assert "Usage: calendar" in out
    assert lead_chat.snapshot() == before


def test_bad_input_in_chinese(lead_chat: Chat) -> None:
    lead_chat("olivia", 'project create "发布" key ZH locale zh-CN', channel="zh")
    out = lead_chat("olivia", "日历 节假日 2027-02-11..2027-02-05", channel="zh")
    assert "结束日期" in out and "早于开始日期" in out
    out = lead_chat("olivia", "日历 节假日 2027-01-01..2027-03-15", channel="zh")
    assert "共 74 天" in out


def test_a_rolled_back_override_leaves_the_calendar_as_it_was(sqlite_url: str) -> None:
    chat = make_chat(sqlite_url)
    engine = chat.runtime.engine
    with pytest.raises(RuntimeError), transaction(engine) as db:
        workdays.refresh_overrides(db)
        overrides.put(db, D("2027-03-01"), "holiday", "", None, chat.runtime.clock.now())
        reload_overrides(db)
        assert CN.is_working(D("2027-03-01")) is False  # seen at once by its own command
        raise RuntimeError("the command failed after the write")
    with transaction(engine) as db:
        workdays.refresh_overrides(db)
    assert CN.is_working(D("2027-03-01")) is True
    engine.dispose()


def test_a_stale_replica_catches_up_on_its_next_tick(lead_chat: Chat) -> None:
    stale = workdays._store.current  # what another replica holds before the override
    lead_chat("lena", "calendar holiday 2027-03-01")
    workdays._store.current = stale
    assert CN.is_working(D("2027-03-01")) is True
    runtime = lead_chat.runtime
    run_due(JobEnv(runtime.engine, runtime.clock, runtime.settings))
    assert CN.is_working(D("2027-03-01")) is False


REPLICA = """
import sys
from datetime import date
from bot.messages import Inbound
from bot.runtime import build
from bot.settings import Settings
from bot.workdays import calendar_for

rt = build(Settings(database_url=sys.argv[1], now="2026-11-18T10:00:00+08:00"), migrate=False)
cn = calendar_for("cn")

def ask():
    rt.dispatcher.handle(Inbound(platform="console", user_id="rick", user_name="rick",
                                 text="calendar show 2027", channel_id="dm:rick", is_dm=True))
    print(int(cn.is_working(date(2027, 2, 11))), int(cn.is_working(date(2027, 2, 20))),
          flush=True)

ask()
sys.stdin.readline()
ask()
"""


def test_a_second_process_sees_overrides_after_its_refresh(any_db_url: str) -> None:
    chat = _team(any_db_url)
    replica = subprocess.Popen(
        [sys.executable, "-c", REPLICA, any_db_url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert replica.stdout is not None and replica.stdin is not None
        assert replica.stdout.readline().split() == ["1", "0"]
        chat("lena", "calendar holiday 2027-02-11")
        chat("lena", "calendar workday 2027-02-20")
        replica.stdin.write("go\n")
        replica.stdin.flush()
        assert replica.stdout.readline().split() == ["0", "1"]
    finally:
        replica.kill()
        replica.wait(10)
        chat.runtime.engine.dispose()
