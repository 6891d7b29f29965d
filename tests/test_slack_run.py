"""`taskforce run --platform slack` as a user starts it: a real process serving HTTP mode."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from slack_fake import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    form,
    post,
    signed_headers,
    slash_body,
    until,
    user,
)

from benchmarks.processes import children


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        with socket.socket() as conn:
            if conn.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the bot never listened")


def test_run_serves_slash_commands_over_http(tmp_path: Path):
    fake = FakeSlack().start()
    fake.users["U2"] = user("U2", "Max Müller")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DINGTALK_"))}
    env.update(
        {
            "TASKFORCE_DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
            "TASKFORCE_NOW": "2026-11-18T10:00:00+08:00",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.url,
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, process)
        body = form(slash_body(fake, "project create Launch key LA", "U1", "C0LAUNCH", 1))
        status, _, _ = post(f"http://127.0.0.1:{port}/slack/events", body, signed_headers(body))
        assert status == 200
        posted = fake.wait("chat.postMessage")
        assert "Project LA Launch created" in posted[0].dump()
        lines = ["dept add Eng head <@U1>", "member add <@U2> dept Eng",
                 'action add "Brief" owner <@U2> due fri']
        for n, line in enumerate(lines, 3):
            sent = form(slash_body(fake, line, "U1", "C0LAUNCH", n))
            url = f"http://127.0.0.1:{port}/slack/events"
            assert post(url, sent, signed_headers(sent))[0] == 200
            time.sleep(0.5)  # in order
        dm = lambda: any(c.args.get("channel") == "DU2" for c in fake.of("chat.postMessage"))  # noqa: E731
        until(dm, timeout=20)  # the owner's DM: the outbox, sent by the worker's scheduler
        forged = form(slash_body(fake, "project create Evil key EV", "U1", "C0EVIL", 2))
        status, _, _ = post(
            f"http://127.0.0.1:{port}/slack/events", forged, signed_headers(forged, secret="wrong")
        )
        assert status == 401
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            report = json.load(answer)
        assert report["workers"] == {"ok": True, "running": 1, "of": 1}
        workers = children(process.pid)
        assert len(workers) == 1  # TASKFORCE_WORKERS defaults to one worker process
        process.terminate()
        assert process.wait(timeout=30) == 0  # SIGTERM: the workers finish and stop first
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if process.poll() is None:
            process.kill()
        fake.stop()

