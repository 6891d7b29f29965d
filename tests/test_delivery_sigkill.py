"""A process killed with SIGKILL mid-delivery loses nothing: its claim is a lease, and
after the lease the row is delivered by the restarted process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support_scheduler import FakeChatServer, at, rows, sqlite_runtime

from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from storage.engine import transaction

ROOT = Path(__file__).resolve().parent.parent
DELIVER = """
import sys
from datetime import datetime
from bot.clock import Clock
from bot.outbox.http import WebhookSender
from bot.outbox.loop import DeliveryLoop
from storage.engine import make_engine

url, database, now = sys.argv[1:4]
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
sender = WebhookSender("console", url, per_channel_per_minute=0)
clock = Clock(datetime.fromisoformat(now))
loop = DeliveryLoop(make_engine(database), clock, {"console": sender}, workers=workers)
print("sent", len(loop.run_once().sent), flush=True)
"""


def deliver(url: str, database: str, now: str, workers: int = 1) -> subprocess.Popen:
    """A process that runs one delivery round (`workers` sends at a time), then exits."""
    return subprocess.Popen(
        [sys.executable, "-c", DELIVER, url, database, now, str(workers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_mid_delivery_loses_nothing(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-20T17:00"))
    url = rt.settings.database_url
    notice = Notice(
        Target("console", channel_id="ops"),
        "message",
        {"key": "quiet.off", "params": {}},
        dedupe_key="kill",
    )
    with transaction(rt.engine) as db:
        enqueue(db, [notice], rt.clock.now(), "UTC")
    with FakeChatServer() as server:
        server.hang.set()
        first = deliver(server.url, url, "2026-11-20T16:00:00+00:00")
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, first.communicate(timeout=5)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        server.hang.clear()
        server.release()
        [row] = rows(rt)
        assert row.state == "queued" and row.claimed_by  # claimed by a dead process

        # restarted while the dead claim's lease (5 min) still runs: left alone
        soon = deliver(server.url, url, "2026-11-20T16:04:00+00:00")
        assert soon.communicate(timeout=30)[0].strip() == "sent 0"
        # after the lease: delivered, once
        later = deliver(server.url, url, "2026-11-20T16:05:01+00:00")
        out, err = later.communicate(timeout=30)
        assert out.strip() == "sent 1", err
    [row] = rows(rt)
    assert row.state == "sent" and row.attempts == 1
    assert len(server.requests) == 2  # the killed attempt and the one that was answered
    assert server.requests[0] == server.requests[1]
