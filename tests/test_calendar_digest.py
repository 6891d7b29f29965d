"""Each `cn` project's first digest in a provisional year says so, once; `weekends` never."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support_scheduler import run_tick, say, sqlite_runtime

from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.slack.render import SlackRenderer
from bot.calendar_view import year_data
from bot.handlers.digests import digest_data
from bot.runtime import Runtime
from bot.workdays import reset_overrides
from storage import projects
from storage.engine import transaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
LINE_EN = "The 2027 holiday calendar is provisional"
LINE_ZH = "2027 年的节假日安排为暂定"


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    reset_overrides()
    runtime = sqlite_runtime(tmp_path, sh("2026-11-16T10:00"))
    say(runtime, "ann", "project create Ops key OPS tz Asia/Shanghai calendar cn", "ops")
    say(runtime, "ann", "project create Web key WEB tz Asia/Shanghai calendar weekends", "web")
    zh = "project create 中文 key ZH tz Asia/Shanghai calendar cn locale zh-CN"
    say(runtime, "ann", zh, "zh")
    yield runtime
    reset_overrides()


def _digests(sent: list[tuple[str, str]]) -> dict[str, str]:
    return {target: text for target, text in sent if text.startswith("📊")}


def test_first_digest_of_a_provisional_year_says_so_once(rt: Runtime) -> None:
    before = _digests(run_tick(rt, sh("2026-11-20T17:00")))  # 2026: chinesecalendar's data
    assert set(before) == {"#ops", "#web", "#zh"}
    assert not any("provisional" in t or "暂定" in t for t in before.values())

    first = _digests(run_tick(rt, sh("2027-01-08T17:00")))
    assert set(first) == {"#ops", "#web", "#zh"}
    assert LINE_EN in first["#ops"] and "calendar show 2027" in first["#ops"]
    assert LINE_ZH in first["#zh"] and "provisional" not in first["#zh"]
    assert "provisional" not in first["#web"]  # weekends ignores the PRC calendar

    second = _digests(run_tick(rt, sh("2027-01-15T17:00")))
    assert set(second) == {"#ops", "#web", "#zh"}
    assert not any(LINE_EN in t or LINE_ZH in t for t in second.values())


def test_no_line_once_the_year_is_settled_by_an_override(rt: Runtime) -> None:
    run_tick(rt, sh("2026-11-20T17:00"))
    rt.clock.set(sh("2026-12-20T10:00"))
    say(rt, "ann", 'calendar workday 2027-02-20 "春节调休"', "ops")  # ann leads every project
    sent = _digests(run_tick(rt, sh("2027-01-08T17:00")))
    assert "#ops" in sent and LINE_EN not in sent["#ops"]


def test_the_line_on_dingtalk_and_slack(rt: Runtime) -> None:
    with transaction(rt.engine) as db:
        project = projects.by_key(db, "ZH")
        data = {**digest_data(db, rt.clock, project, None, "weekly"), "calendar_note": 2027}
        en = {**digest_data(db, rt.clock, projects.by_key(db, "OPS"), None, "weekly"),
              "calendar_note": 2027}
    dingtalk = DingTalkRenderer().render("digest", data, "zh-CN")
    assert f"> 📅 {LINE_ZH}" in dingtalk and "{" not in dingtalk
    slack = SlackRenderer().message("digest", en, "en")
    assert LINE_EN in slack.text
    without = DingTalkRenderer().render("digest", {**data, "calendar_note": None}, "zh-CN")
    assert LINE_ZH not in without


def test_calendar_show_on_dingtalk_and_slack() -> None:
    dingtalk = DingTalkRenderer().render("calendar_show", year_data(2027, "zh-CN"), "zh-CN")
    assert dingtalk.startswith("#### 📅 工作日日历（cn）2027 年")
    assert "> ⚠️ 2027 年为暂定日历" in dingtalk
    assert "- **休** 2月6日(周六) 至 2月8日(周一) · 春节 · holidays 法定节日推算" in dingtalk
    slack = SlackRenderer().message("calendar_show", year_data(2026, "en"), "en")
    assert "National Day" in slack.text and "provisional" not in slack.text
    assert "working Sat 2026-10-10 · National Day · chinesecalendar" in slack.text
