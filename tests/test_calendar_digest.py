"""Each `cn` project's first digest in a provisional year says so, once; `weekends` never."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support_scheduler import run_tick, say, sqlite_runtime

from bot.runtime import Runtime
from bot.workdays import reset_overrides

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
