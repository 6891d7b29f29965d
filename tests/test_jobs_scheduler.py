"""`start_scheduler`: APScheduler wakes the process; a catch-up run at start posts what
downtime missed, and the delivery job hands it to the senders."""

from __future__ import annotations

import io
import time
from pathlib import Path

from support_scheduler import at, rows, run_tick, say, seed_project, sqlite_runtime

from bot.jobs.scheduler import start_scheduler
from bot.outbox.console import ConsoleSender


def test_scheduler_catches_up_at_start_and_delivers(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(rt)
    say(rt, "ann", 'action add "Late" owner @cid due 2026-11-17')
    run_tick(rt, at("2026-11-16T10:00"))
    rt.clock.set(at("2026-11-25T12:00"))  # the bot was down over Friday's digest
    out = io.StringIO()
    scheduler = start_scheduler(rt, {"console": ConsoleSender(out)}, delivery_seconds=0.1)
    try:
        deadline = time.monotonic() + 15
        while out.getvalue().count("→ ") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    text = out.getvalue()
    assert text.count("📊 OPS Ops — weekly progress, Wed 2026-11-25") == 1
    assert text.count("→ #ops\n⏰ OPS Ops: 1 item newly overdue\n  A1 Late") == 1
    assert text.count("→ @cid\n⏰") == 1
    assert {r.state for r in rows(rt)} == {"sent"}
    job_ids = {job.id for job in scheduler.get_jobs()}
    assert job_ids <= {"jobs", "delivery", "catch-up"}
