"""Trial (issue 15, operability): the health port in every server mode, Prometheus
metrics, and JSON log lines whose request id the command's outbox rows carry too.

Slack Socket Mode and DingTalk stream mode run against their local fakes (the real
slack-bolt / dingtalk-stream clients); the health port answers 200 while the platform's
websocket is open and the database is migrated, 503 otherwise.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack
from sqlmodel import Session, select
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk
from test_dingtalk_stream import fake, runtime, serving  # noqa: F401  (fixtures)
from test_slack_socket_mode import Gateway

from bot.adapters.dingtalk.app import DingTalkAdapter
from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.slack import HttpServing, build_app
from bot.adapters.slack.serve import socket_mode_for
from bot.health import HealthServer
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.logs import setup_logging
from bot.metrics import watch_outbox
from bot.runtime import build
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def health(port: int) -> tuple[int, dict[str, Any]]:
    status, body = get(port, "/healthz")
    return status, json.loads(body)


def test_dingtalk_stream_mode_reports_its_websocket(runtime, fake, trial) -> None:  # noqa: ANN001, F811
    config = DingTalkConfig.from_settings(runtime.settings)
    stream = DingTalkAdapter(runtime, config, min_delay=5)
    server = HealthServer(runtime.health, host="127.0.0.1").start()
    try:
        trial.tried("GET /healthz while the DingTalk stream is connected")
        with serving(stream):
            fake.wait(lambda: fake.connections == 1)
            status, report = health(server.port)
            assert status == 200 and report["platform"] == {"name": "dingtalk-stream", "ok": True}
            assert report["database"]["ok"] is True
            trial.held("200, platform dingtalk-stream ok, database ok")
        trial.tried("GET /healthz after the stream closed")
        status, report = health(server.port)
        assert status == 503 and report["platform"]["ok"] is False
        trial.held("503, platform not ok")
    finally:
        server.stop()


def test_slack_socket_mode_reports_its_websocket(sqlite_url: str, trial) -> None:  # noqa: ANN001
    slack, gateway = FakeSlack().start(), Gateway()
    slack.ws_url = f"ws://127.0.0.1:{gateway.port}/link/?ticket=abc"
    settings = Settings(
        database_url=sqlite_url, slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN,
        slack_signing_secret=None, slack_api_url=slack.url,
    )
    served = build(settings, migrate=False)
    handler = socket_mode_for(served, build_app(served))
    server = HealthServer(served.health, host="127.0.0.1").start()
    try:
        trial.tried("GET /healthz before Socket Mode connects, then once it has")
        assert health(server.port)[0] == 503
        handler.connect()
        assert gateway.connected.wait(5)
        status, report = health(server.port)
        assert status == 200 and report["platform"] == {"name": "slack-socket-mode", "ok": True}
        trial.held("503 before, 200 with slack-socket-mode ok after")
        handler.client.disconnect()  # the websocket drops (the client would reconnect)
        assert health(server.port)[0] == 503
        trial.held("503 again once the websocket closed")
    finally:
        server.stop()
        gateway.stop()
        # the SDK's close() joins its session thread without a timeout (it hung once here)
        closing = threading.Thread(target=handler.close, daemon=True)
        closing.start()
        closing.join(10)
        slack.stop()


def test_slack_http_healthz_reports_the_database(tmp_path: Path, trial) -> None:  # noqa: ANN001
    slack = FakeSlack().start()
    url = f"sqlite:///{tmp_path}/h.db"
    settings = Settings(
        database_url=url, slack_bot_token=BOT_TOKEN, slack_signing_secret="x",
        slack_api_url=slack.url,
    )
    served = build(settings, migrate=False)  # an empty database: not migrated
    serving_ = HttpServing(build_app(served), "x", host="127.0.0.1", port=0,
                           health=served.health).start()
    try:
        trial.tried("GET /healthz on Slack's own port with an unmigrated database")
        status, report = health(serving_.port)
        assert status == 503 and report["database"]["ok"] is False
        assert report["database"]["revision"] is None
        trial.held("503 with database not ok")
        build(settings)  # migrates
        status, report = health(serving_.port)
        assert status == 200 and report["database"]["ok"] is True
        trial.held("200 once migrated")
    finally:
        serving_.stop()
        slack.stop()


def test_metrics_and_json_logs_follow_a_command(team, trial) -> None:  # noqa: ANN001
    served = team.runtime
    watch_outbox(served.engine, served.clock)
    server = HealthServer(served.health, host="127.0.0.1").start()
    log_lines = io.StringIO()
    setup_logging(logging.INFO, "json", stream=log_lines)
    try:
        trial.tried("a command that DMs the new owner, with TASKFORCE_LOG_FORMAT=json")
        answer = team("olivia", 'action add "Draft the checklist" owner @max due 2026-12-04')
        assert "A1" in answer
        team("olivia", "action frobnicate")
        run_due(JobEnv(served.engine, served.clock, served.settings))
        lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
        done = [x for x in lines if x["message"].startswith("command action.add: ok")]
        assert len(done) == 1 and done[0]["request_id"].startswith("req-")
        with Session(served.engine) as db:
            rows = db.exec(select(OutboxMessage).where(OutboxMessage.user_id == "max")).all()
        assert rows and {r.request_id for r in rows} == {done[0]["request_id"]}
        trial.held("one JSON line for the command; its request id is on the DM's outbox row")
        trial.tried("GET /metrics")
        status, text = get(server.port, "/metrics")
        assert status == 200
        assert 'taskforce_commands_total{command="action.add",outcome="ok"}' in text
        assert 'taskforce_commands_total{command="unknown",outcome="error"}' in text
        assert 'taskforce_command_seconds_bucket{command="action.add",le="0.5"}' in text
        assert 'taskforce_outbox_messages{state="queued"}' in text
        assert "taskforce_outbox_oldest_queued_seconds" in text
        assert 'taskforce_job_seconds_count{job="digest"}' in text
        trial.held("commands by name and outcome, latency, outbox state and job durations")
    finally:
        server.stop()


def test_taskforce_run_serves_the_health_port(tmp_path: Path, trial) -> None:  # noqa: ANN001
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeDingTalk() as gateway:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DINGTALK_"))}
        env.update(
            PYTHONPATH=str(ROOT), TASKFORCE_DATABASE_URL=f"sqlite:///{tmp_path}/run.db",
            DINGTALK_CLIENT_ID=CLIENT_ID, DINGTALK_CLIENT_SECRET=CLIENT_SECRET,
            DINGTALK_ROBOT_CODE=ROBOT_CODE, DINGTALK_API_URL=gateway.api_url,
            TASKFORCE_LOG_FORMAT="json",
        )
        trial.tried("`taskforce run --platform dingtalk --health-port N`, then GET /healthz")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--platform", "dingtalk",
             "--health-port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            gateway.wait(lambda: gateway.connections == 1, timeout=60)
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, report = health(port)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the health port never answered"
                    time.sleep(0.2)
            assert status == 200 and report["platform"]["name"] == "dingtalk-stream"
            trial.held("200 from the process's health port, platform dingtalk-stream")
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        assert lines and all({"ts", "level", "logger", "message"} <= set(x) for x in lines)
        trial.held("its log on stderr is JSON lines")
