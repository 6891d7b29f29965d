"""Trial: the bot is down across a digest and a ladder step. When it is back, the
scheduler's start-up run posts one catch-up digest (as of now, not one per missed
week) and one escalation notice for the level reached (not one per missed level);
running again posts nothing more."""

from __future__ import annotations

import io
import time
from collections import Counter
from pathlib import Path

from support_scheduler import at, rows, run_tick, say, seed_project, sqlite_runtime
from trial_report import Trial

from bot.jobs.scheduler import start_scheduler
from bot.outbox.console import ConsoleSender


def test_down_across_a_digest_and_a_ladder_step(tmp_path: Path, trial: Trial) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(rt)
    say(rt, "ann", 'action add "Late" owner @cid due 2026-11-16')
    run_tick(rt, at("2026-11-17T09:30"))  # the overdue alert: the ladder's first step
    before = Counter(r.kind for r in rows(rt))
    assert before["overdue_post"] == 1 and before["digest"] == 0, before

    trial.tried("down from Tue 11-17 09:30 to Mon 11-30 12:00: two Friday digests and the"
                " ladder's later steps missed; then the scheduler starts")
    rt.clock.set(at("2026-11-30T12:00"))
    out = io.StringIO()
    scheduler = start_scheduler(rt, {"console": ConsoleSender(out)}, delivery_seconds=0.1)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            not out.getvalue() or any(r.state == "queued" for r in rows(rt))
        ):
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
    after = Counter(r.kind for r in rows(rt)) - before
    assert after["digest"] == 1, after
    climbed = [r for r in rows(rt) if r.kind.startswith("escalation")]
    assert len(climbed) == 1, [r.dedupe_key for r in climbed]
    assert {r.state for r in rows(rt)} == {"sent"}
    trial.held(f"one catch-up digest and one escalation notice ({climbed[0].dedupe_key})")

    trial.tried("the jobs run again an hour later")
    again = run_tick(rt, at("2026-11-30T13:00"))
    assert again == [], again
    trial.held("nothing more was posted")
