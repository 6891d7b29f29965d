"""Trial: SQLite locked by another process's writer for over 10 s. A command answers
"busy, try again" within seconds and writes nothing; the console keeps reading its
lines; a tick (jobs and delivery) waits for the lock and finishes, logging no error."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import threading
import time

import pytest
from conftest import Chat
from support_scheduler import rows
from trial_report import Trial

from bot.adapters.console import ConsoleAdapter
from bot.messages import Notice, Target
from bot.outbox.console import ConsoleSender
from bot.outbox.enqueue import enqueue
from bot.tick import tick
from storage.engine import transaction

HOLD_S = 10.5
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def lock_for(url: str, seconds: float) -> subprocess.Popen:
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, url.removeprefix("sqlite:///"), str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


def test_a_ten_second_lock_is_waited_out_or_answered_busy(
    team: Chat, trial: Trial, caplog: pytest.LogCaptureFixture
) -> None:
    rt = team.runtime
    notice = Notice(
        Target("console", channel_id="launch"), "message",
        {"key": "quiet.off", "params": {}}, dedupe_key="lock-trial",
    )
    with transaction(rt.engine) as db:
        enqueue(db, [notice], rt.clock.now(), "UTC")
    before = team.snapshot()
    caplog.set_level(logging.ERROR)
    out = io.StringIO()
    trial.tried(f"another process holds SQLite's write lock for {HOLD_S} s")
    locker = lock_for(str(rt.engine.url), HOLD_S)
    started = time.monotonic()
    done: list[float] = []

    def background() -> None:
        tick(rt.engine, rt.clock, rt.settings, {"console": ConsoleSender(out)})
        done.append(time.monotonic() - started)

    worker = threading.Thread(target=background)
    worker.start()
    trial.tried("meanwhile a tick (jobs + delivery) and a console script with a write command")
    console = io.StringIO()
    adapter = ConsoleAdapter(rt.dispatcher, "olivia", "launch", console)
    [reply] = adapter.handle('action add "During the lock" owner @max due fri')
    answered = time.monotonic() - started
    assert "busy right now" in reply and answered < 5, reply
    assert team.snapshot()["actionitem"] == before["actionitem"]
    trial.held(f"the command answered busy after {answered:.1f} s and wrote nothing")
    adapter.run(['action add "Also during the lock" owner @max due fri', "action list"])
    worker.join(60)
    locker.wait(30)
    assert done and done[0] >= HOLD_S - 0.5, done
    assert [r.state for r in rows(rt, dedupe_key="lock-trial→#launch")] == ["sent"]
    sent = out.getvalue() + console.getvalue()
    assert sent.count("Quiet hours are off") == 1, sent
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    trial.held(f"the tick waited {done[0]:.1f} s for the lock, then ran every job and sent once")
    # the script's last line ran: the list, whether the write before it got in or was busy
    assert "open items" in console.getvalue().lower(), console.getvalue()
    assert "Added A" in team("olivia", 'action add "After the lock" owner @max due fri')
    trial.held("the console read on after the busy answer; the command works once it is free")
