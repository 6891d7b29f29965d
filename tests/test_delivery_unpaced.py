"""An unpaced sender's rows (the console's) are marked sent together, one statement per
claim, after the claim's sends."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import text
from support_scheduler import at, sqlite_runtime

from benchmarks.statements import recorded
from bot.messages import Notice, Target
from bot.outbox.console import ConsoleSender
from bot.outbox.enqueue import enqueue
from bot.outbox.loop import DeliveryLoop
from storage.engine import transaction


def test_a_claim_of_console_rows_is_marked_sent_in_one_statement(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-20T17:00"))
    notices = [
        Notice(Target("console", channel_id=f"c{i}"), "message",
               {"key": "list_text.more", "params": {"count": i}}, dedupe_key=f"t:{i}")
        for i in range(7)
    ]
    with transaction(rt.engine) as db:
        enqueue(db, notices, rt.clock.now(), "UTC")
    out = io.StringIO()
    with recorded(rt.engine) as statements:
        report = DeliveryLoop(rt.engine, rt.clock, {"console": ConsoleSender(out)}).run_once()
    updates = [s for s in statements if s.startswith("UPDATE outbox SET state")]
    assert len(report.sent) == 7 and out.getvalue().count("→ #c") == 7
    # the round's report keeps who got what, not the bodies (a Friday is thousands)
    assert {(d.channel_id, d.kind) for d in report.sent} == {(f"c{i}", "message")
                                                             for i in range(7)}
    assert not any(hasattr(d, "payload") for d in report.sent)
    assert len(updates) == 1, updates
    with rt.engine.connect() as conn:
        states = conn.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")).all()
    assert [tuple(s) for s in states] == [("sent", 7)]
