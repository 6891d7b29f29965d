"""`taskforce tick --at …` and `taskforce status` as subprocesses on a temp SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support_scheduler import at, run_tick, say, seed_project, sqlite_runtime

ROOT = Path(__file__).resolve().parent.parent


def taskforce(database: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TASKFORCE_DATABASE_URL": database, "TASKFORCE_TIMEZONE": "UTC"}
    env.pop("TASKFORCE_NOW", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tick_prints_each_alert_and_digest_once(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))  # a Monday
    seed_project(rt)
    say(rt, "ann", 'action add "Overdue one" owner @cid due 2026-11-17')
    say(rt, "ann", 'action add "Overdue two" owner @bob due 2026-11-18')
    say(rt, "ann", 'action add "Due later" owner @cid due 2026-11-30')
    say(rt, "ann", 'action add "Done already" owner @cid due 2026-11-19')
    rt.clock.set(at("2026-11-16T10:05"))
    say(rt, "cid", "done A4")
    run_tick(rt, at("2026-11-16T10:00"))  # the assignment DMs go out
    url = rt.settings.database_url

    first = taskforce(url, "tick", "--at", "2026-11-20T17:30:00+01:00")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert out.count("→ #ops\n⏰ OPS Ops: 2 items newly overdue") == 1  # one post, both
    assert out.count("A1 Overdue one · cid · was due") == 1
    assert out.count("A2 Overdue two · bob · was due") == 1
    assert out.count("→ @cid\n⏰ Your item OPS A1") == 1
    assert out.count("→ @bob\n⏰ Your item OPS A2") == 1
    assert out.count("→ #ops\n📊 OPS Ops — weekly progress, Fri 2026-11-20") == 1
    assert "Due later" not in out  # due in ten days: neither alerted nor in the 7-day list
    assert "Done since the last digest (1):" in out and "✔ A4 Done already" in out
    # the escalation ladder: A1 (3 working days late) and A2 (2) have reached `lead`
    assert out.count("→ @ann\n🔺 OPS/E") == 2 and out.count("→ @bob\n🔺 OPS/E") == 2
    assert out.count("→ #ops\n🔺 Escalated to the leads this morning (2)") == 1
    assert out.count("→ ") == 4 + 5

    again = taskforce(url, "tick", "--at", "2026-11-20T17:30:00+01:00")
    assert again.returncode == 0 and again.stdout == ""
    later = taskforce(url, "tick", "--at", "2026-11-23T10:00:00+01:00")
    # Monday: nothing newly overdue, no digest due; A1 reaches the department head (ann)
    assert later.stdout.count("→ ") == 1 and "→ @ann\n🔺 OPS/E1" in later.stdout
    next_week = taskforce(url, "tick", "--at", "2026-11-27T17:00:00+01:00")
    assert next_week.stdout.count("📊") == 1
    assert next_week.stdout.count("→ @cid\n🔔 Reminder: OPS A3 Due later") == 1  # Monday's
    assert next_week.stdout.count("→ @ann\n🔺 OPS/E2") == 1  # A2's department head, once
    assert next_week.stdout.count("→ ") == 3

    status = taskforce(url, "status")
    assert status.returncode == 0, status.stderr
    assert "outbox: 0 queued" in status.stdout and "0 failed" in status.stdout
    assert "digest: 2 periods, newest 2026-W48" in status.stdout
    assert "morning:" in status.stdout
