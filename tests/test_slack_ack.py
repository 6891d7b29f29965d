"""The ack path holds while the database is busy: nothing before Bolt's ack waits for
SQLite's write lock; the command runs afterwards, or is answered "busy", never lost.

Signed requests go into the real Bolt app over HTTP (waitress) and Socket Mode, its
Web API calls to the local fake Slack (tests/slack_fake.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
import test_slack_http
import test_slack_socket_mode
from slack_fake import BOT_TOKEN, SECRET, FakeSlack, form, post, signed_headers, slash_body, user
from sqlmodel import Session, select
from test_slack_http import CHANNEL, NOW, Harness, posted, team
from test_slack_socket_mode import envelope

from bot.adapters.slack import HttpServing, build_app
from bot.runtime import build
from bot.settings import Settings
from storage.models import ActionItem, InboundSeen

BUSY = "busy right now"
slack = test_slack_http.slack  # the fixtures: one app on waitress; Socket Mode
setup = test_slack_socket_mode.setup


class WriteLock:
    """Another connection holding SQLite's write lock for `seconds`, from a thread."""

    def __init__(self, url: str, seconds: float) -> None:
        self.path = url.removeprefix("sqlite:///")
        self.seconds = seconds
        self.held = threading.Event()
        self.released = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        self.held.set()
        time.sleep(self.seconds)
        conn.execute("ROLLBACK")
        conn.close()
        self.released.set()

    def __enter__(self) -> WriteLock:
        self._thread.start()
        assert self.held.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(self.seconds + 5)


def answers(slack: Harness, n: int) -> list[str]:
    """What reached Slack for request number `n` through its response_url."""
    calls = slack.fake.of("response_url")
    return [c.args.get("text", "") for c in calls if c.path.endswith(f"/cmd{n}")]


def test_a_command_is_acked_at_once_while_another_connection_holds_the_write_lock(
    slack: Harness,
) -> None:
    team(slack)
    url = str(slack.runtime.engine.url)
    before_posts = len(posted(slack))
    with WriteLock(url, 5.0):
        started = time.monotonic()
        status_a, body_a, ack_a = slack.command('action add "Held up" owner <@U2> due fri')
        first = slack.n
        time.sleep(max(0.0, 3.5 - (time.monotonic() - started)))
        status_b, body_b, ack_b = slack.command('action add "Waited" owner <@U2> due fri')
        second = slack.n
        assert time.monotonic() - started < 5.0, "the lock was released before the second ack"
    assert (status_a, body_a, status_b, body_b) == (200, "", 200, "")
    assert ack_a < 1.0 and ack_b < 1.0  # well inside Slack's 3 seconds
    # the first waited the command's few seconds, then was told so, having written nothing
    slack.fake.wait("chat.postMessage", before_posts + 1, timeout=10)
    until_answered = time.monotonic() + 5
    while not answers(slack, first) and time.monotonic() < until_answered:
        time.sleep(0.05)
    (busy,) = answers(slack, first)
    assert BUSY in busy
    # the second got the lock when it was released and ran
    assert [i.title for i in slack.items()] == ["Waited"]
    assert "Waited" in posted(slack)[-1].args["text"]
    assert len(posted(slack)) == before_posts + 1 and answers(slack, second) == []
    with Session(slack.runtime.engine) as db:
        keys = list(db.exec(select(InboundSeen.key)).all())
    assert not any(f"trigger.{first}." in key for key in keys)  # a busy command claims nothing


def test_the_busy_answer_is_in_the_users_language(slack: Harness) -> None:
    slack.fake.users["U4"] = user("U4", "Wang Wei", locale="zh-CN")
    with WriteLock(str(slack.runtime.engine.url), 4.0):
        status, _, ack = slack.command("action list", user_id="U4", channel="D0WANG")
        assert (status, ack < 1.0) == (200, True)
        n = slack.n
        deadline = time.monotonic() + 6
        while not answers(slack, n) and time.monotonic() < deadline:
            time.sleep(0.05)
    (busy,) = answers(slack, n)
    assert "系统正忙" in busy and BUSY not in busy


@pytest.fixture
def replicas(sqlite_url: str) -> Iterator[tuple[FakeSlack, list[Harness]]]:
    """Two app instances (two runtimes, two servers) on one database."""
    fake = FakeSlack().start()
    fake.users.update({"U1": user("U1", "Olivia Chen"), "U2": user("U2", "Max Müller")})
    harnesses, stops = [], []
    for _ in range(2):
        settings = Settings(
            database_url=sqlite_url,
            now=NOW,
            locale=None,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_app_token=None,
            slack_api_url=fake.url,
        )
        runtime = build(settings, migrate=False)
        app = build_app(runtime)
        serving = HttpServing(app, SECRET, host="127.0.0.1", port=0).start()
        harnesses.append(Harness(fake, runtime, serving))
        stops.append((serving, runtime))
    yield fake, harnesses
    for serving, runtime in stops:
        serving.stop()
        runtime.engine.dispose()
    fake.stop()


def test_a_retry_reaching_another_instance_is_dropped_after_the_ack(
    replicas: tuple[FakeSlack, list[Harness]],
) -> None:
    fake, (one, two) = replicas
    team(one)
    before = len(posted(one))
    body = form(slash_body(fake, 'action add "Once only" owner <@U2> due fri', "U1", CHANNEL, 70))
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with WriteLock(str(one.runtime.engine.url), 1.5):  # both acks come before any write
        status_one, _, ack_one = post(one.url, body, signed_headers(body))
        status_two, _, ack_two = post(two.url, body, signed_headers(body) | retry)
    assert (status_one, status_two) == (200, 200)
    assert ack_one < 1.0 and ack_two < 1.0
    fake.wait("chat.postMessage", before + 1, timeout=10)
    time.sleep(0.5)
    assert [i.title for i in one.items()] == ["Once only"]
    assert len(posted(one)) == before + 1
    assert [c for c in fake.of("response_url") if c.path.endswith("/cmd70")] == []


def test_socket_mode_acks_while_the_write_lock_is_held(setup, sqlite_url: str) -> None:  # noqa: ANN001
    fake, gateway, runtime = setup
    with WriteLock(sqlite_url, 2.0):
        sent = gateway.deliver(envelope(fake, 'project create "Socket launch" key SO', 1))
        ack = gateway.ack("env-1")
        acked = time.monotonic() - sent
    assert ack == {"envelope_id": "env-1"} and acked < 1.0
    message = fake.wait("chat.postMessage", timeout=10)[0]
    assert "Project SO Socket launch created" in message.args["text"]
    with Session(runtime.engine) as db:
        assert db.exec(select(ActionItem)).all() == []
        assert len(db.exec(select(InboundSeen)).all()) == 1
