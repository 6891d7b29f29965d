"""Trial: kill -9 during delivery of many rows, several in flight at once. Nothing is
lost, and no more messages are posted twice than were in flight when it died (a
claim is a lease: after it runs out, the restarted process sends what is left)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from support_scheduler import FakeChatServer, at, rows, sqlite_runtime
from test_delivery_sigkill import deliver
from trial_report import Trial

from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from storage.engine import transaction

CHANNELS = [f"c{i:02}" for i in range(20)]
ANSWERED = 6  # requests answered before the platform stops answering


class HangAfter(list):
    """The server's request log; from the `n`-th request on, requests hang."""

    def __init__(self, n: int, hang: threading.Event) -> None:
        super().__init__()
        self.n, self.hang = n, hang

    def append(self, item: object) -> None:
        super().append(item)
        if len(self) > self.n:
            self.hang.set()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_kill_9_with_rows_in_flight(tmp_path: Path, trial: Trial) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-20T17:00"))
    notices = [
        Notice(Target("console", channel_id=c), "message", {"key": "quiet.off", "params": {}},
               dedupe_key=f"kill:{c}")
        for c in CHANNELS
    ]
    with transaction(rt.engine) as db:
        enqueue(db, notices, rt.clock.now(), "UTC")
    with FakeChatServer() as server:
        server.requests = HangAfter(ANSWERED, server.hang)
        trial.tried(f"{len(CHANNELS)} rows, 4 sends at a time; the platform stops answering"
                    f" after {ANSWERED}; the process is killed with SIGKILL")
        first = deliver(server.url, rt.settings.database_url, "2026-11-20T16:00:00+00:00", 4)
        deadline = time.monotonic() + 60
        while len(server.requests) < ANSWERED + 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        in_flight = len(server.requests) - ANSWERED
        assert 1 <= in_flight <= 4, server.requests
        server.hang.clear()
        server.release()
        trial.tried("restarted after the 5-minute lease of the dead process ran out")
        later = deliver(server.url, rt.settings.database_url, "2026-11-20T16:05:01+00:00", 4)
        out, err = later.communicate(timeout=60)
        assert out.startswith("sent"), err
    posted = Counter(r["channel"] for r in server.requests)
    assert set(posted) == set(CHANNELS)
    assert {r.state for r in rows(rt)} == {"sent"}
    duplicates = sum(n - 1 for n in posted.values())
    assert duplicates <= in_flight, (duplicates, in_flight)
    trial.held(f"0 of {len(CHANNELS)} lost; {duplicates} posted twice, {in_flight} were in flight")
