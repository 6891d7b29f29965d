"""Trial: three processes on one PostgreSQL (a throw-away server of the trial's own),
each running the jobs and the delivery loop for the same 100 ticks at once. Every
message goes out once: job periods are claimed by unique rows, outbox rows by
FOR UPDATE SKIP LOCKED and leases.

Replicas share wall time; the processes here share their pinned clock's steps (a
barrier: none starts tick k before all finished tick k-1). A lease is read on each
process's own clock, so replicas whose clocks differ by more than the lease (5 min)
could both send a row: keep them on NTP.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from own_postgres import own_postgres
from support_scheduler import FakeChatServer, at, rows, runtime_at, say, seed_project
from trial_report import Trial

ROOT = Path(__file__).resolve().parents[2]
TICKS = 100
PROCESS = f"""
import sys
from datetime import datetime, timedelta
from bot.clock import Clock
from bot.outbox.http import WebhookSender
from bot.settings import Settings
from bot.tick import tick
from storage.engine import make_engine

url, database, start, barrier, me = sys.argv[1:6]
import time
from pathlib import Path
mine = Path(barrier) / me


def wait_for_all(step):
    mine.write_text(str(step))
    while any(int(p.read_text() or -1) < step for p in Path(barrier).iterdir()):
        time.sleep(0.01)


settings = Settings(database_url=database, timezone="Europe/Berlin", locale="en")
engine = make_engine(database)
sender = WebhookSender("console", url, per_channel_per_minute=0)
clock = Clock(datetime.fromisoformat(start))
sent = 0
for step in range({TICKS}):
    wait_for_all(step - 1)
    clock.set(datetime.fromisoformat(start) + timedelta(minutes=15 * step))
    sent += len(tick(engine, clock, settings, {{"console": sender}}).sent)
print("sent", sent, flush=True)
"""


def test_three_processes_for_100_ticks_send_each_message_once(
    trial: Trial, tmp_path: Path
) -> None:
    with own_postgres() as server:
        rt = runtime_at(server.url, at("2026-11-16T10:00"))
        for key in ("OPS", "ENG", "FIN"):
            seed_project(rt, key, key.lower())
            for n in range(3):
                channel = key.lower()
                say(rt, "ann", f'action add "{key} late {n}" owner @cid due 2026-11-18', channel)
                say(rt, "ann", f'action add "{key} soon {n}" owner @bob due 2026-11-20', channel)
        rt.engine.dispose()
        queued_before = len(rows(rt))
        with FakeChatServer() as chat:
            trial.tried(f"3 processes tick {TICKS} times at once, Thu 16:15 to Fri 17:00")
            start = at("2026-11-19T16:15").isoformat()
            for i in range(3):
                (tmp_path / f"p{i}").write_text("-2")
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", PROCESS, chat.url, server.url, start,
                     str(tmp_path), f"p{i}"],
                    cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
                for i in range(3)
            ]
            results = [p.communicate(timeout=600) for p in processes]
        assert all(p.returncode == 0 for p in processes), [err[-2000:] for _, err in results]
        counts = [int(out.split()[1]) for out, _ in results]
        sent = rows(rt)
        assert {r.state for r in sent} == {"sent"}
        retried = [(r.id, r.attempts) for r in sent if r.attempts != 1]
        assert retried == [], [err[-3000:] for _, err in results]
        posted = Counter((r.get("channel") or r.get("user"), r["text"]) for r in chat.requests)
        stored = Counter((r.channel_id or r.user_id, r.payload) for r in sent)
        assert posted == stored, [err[-1500:] for _, err in results]  # each row posted once
        assert sum(counts) == len(chat.requests) == len(sent), counts
        kinds = Counter(r.kind for r in sent)
        assert kinds["digest"] >= 3 or any("digest" in k for k in kinds), kinds
        trial.held(
            f"{len(sent)} messages ({len(sent) - queued_before} from the jobs: "
            f"{dict(kinds)}) posted once each; the processes sent {counts}"
        )
