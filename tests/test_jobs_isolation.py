"""One failing unit of a job (a project's digest, a timezone/calendar group's morning
sweep) stops nothing else, is not retried on every tick, and shows in the log and in
`taskforce status`. The failures are real: rows corrupted directly in the database."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from support_scheduler import at, rows, run_tick, say, seed_project, sqlite_runtime

from bot.outbox.report import print_status
from bot.runtime import Runtime

# 2026-11-16 is a Monday; the default digest is weekly, Friday 17:00.


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(runtime)  # OPS, project 1, channel #ops
    say(runtime, "ann", "project create Dev key DEV tz Europe/Berlin calendar cn", "dev")
    say(runtime, "ann", 'action add "Ops thing" owner @cid due 2026-11-18')
    say(runtime, "ann", 'action add "Dev thing" owner @ann due 2026-11-18', "dev")
    run_tick(runtime, at("2026-11-16T10:00"))  # the first mornings, the assignment DM
    return runtime


def corrupt(rt: Runtime, sql: str) -> None:
    with rt.engine.begin() as conn:
        conn.execute(text(sql))


def status(rt: Runtime) -> str:
    out = io.StringIO()
    print_status(rt.settings, out)
    return out.getvalue()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    return found


def test_a_failing_digest_does_not_hold_up_the_others(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    say(rt, "ann", "project kpi Cycle baseline 15 target 7 unit d")
    say(rt, "ann", "project kpi Cycle record 12")
    corrupt(rt, "UPDATE kpivalue SET value = 'NaN'")  # a text value: the digest cannot be made
    caplog.set_level(logging.ERROR)

    sent = run_tick(rt, at("2026-11-20T17:00"))
    assert [t for t, x in sent if x.startswith("📊")] == ["#dev"]
    assert any("digest of project OPS failed" in m for m in errors(caplog))
    assert "digest OPS 2026-W47 failed, last at 2026-11-20 16:00 UTC" in status(rt)

    for when in ("2026-11-20T17:01", "2026-11-20T17:30", "2026-11-20T17:59"):
        assert run_tick(rt, at(when)) == []
        assert errors(caplog) == []  # backing off: not retried on every tick
    assert run_tick(rt, at("2026-11-20T18:00")) == []
    assert any("digest of project OPS failed" in m for m in errors(caplog))  # an hour later

    corrupt(rt, "UPDATE kpivalue SET value = 12")  # repaired: the next retry posts it
    sent = run_tick(rt, at("2026-11-20T19:00"))
    assert [t for t, x in sent if x.startswith("📊")] == ["#ops"]
    assert "Fri 2026-11-20" in sent[0][1] and "Cycle" in sent[0][1]
    assert errors(caplog) == [] and "failing jobs" not in status(rt)
    assert len(rows(rt, kind="digest")) == 2
    assert [t for t, x in run_tick(rt, at("2026-11-27T17:00")) if x.startswith("📊")] == [
        "#ops",
        "#dev",
    ]


def test_a_failing_morning_group_does_not_hold_up_the_others(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    # OPS's timezone is now one no zone database knows: its group's sweep fails (it
    # sorts before Europe/Berlin, so it runs first)
    corrupt(rt, "UPDATE project SET timezone = 'Atlantis/Nowhere' WHERE key = 'OPS'")
    caplog.set_level(logging.ERROR)
    sent = run_tick(rt, at("2026-11-19T09:00"))
    assert sorted(t for t, x in sent if x.startswith("⏰")) == ["#dev", "@ann"]
    assert any("job morning for Atlantis/Nowhere|weekends failed" in m for m in errors(caplog))
    assert "morning Atlantis/Nowhere|weekends 2026-11-19 failed" in status(rt)
    for when in ("2026-11-19T09:01", "2026-11-19T09:30"):
        assert run_tick(rt, at(when)) == []
        assert errors(caplog) == []  # backing off

    corrupt(rt, "UPDATE project SET timezone = 'Europe/Berlin' WHERE key = 'OPS'")
    sent = run_tick(rt, at("2026-11-19T10:00"))  # OPS is back in its group, which catches up
    assert sorted(t for t, x in sent if x.startswith("⏰")) == ["#ops", "@cid"]
    assert errors(caplog) == []
