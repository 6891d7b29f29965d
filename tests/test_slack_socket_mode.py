"""Socket Mode: Bolt's built-in client connects to a local websocket gateway (the URL
that the fake's apps.connections.open hands out), receives a slash-command envelope,
acks it, and the command runs through the core."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack, slash_body, user
from sqlmodel import Session, select
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.adapters.slack import build_app
from bot.adapters.slack.app import worker
from bot.adapters.slack.serve import socket_mode
from bot.runtime import build
from bot.settings import Settings
from bot.workers import WorkerPool
from storage.models import ActionItem, ChannelBinding

CHANNEL = "C0SOCKET"


class Gateway:
    """A local stand-in for Slack's Socket Mode websocket endpoint."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self.connection: ServerConnection | None = None
        self.paths: list[str] = []
        self.server = serve(self._session, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _session(self, connection: ServerConnection) -> None:
        self.paths.append(connection.request.path if connection.request else "")
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connection = connection
        self.connected.set()
        try:
            for message in connection:
                self.received.put(json.loads(message))
        except ConnectionClosed:  # the client closes without a close frame on shutdown
            pass

    def deliver(self, envelope: dict[str, Any]) -> float:
        assert self.connection is not None
        sent = time.monotonic()
        self.connection.send(json.dumps(envelope))
        return sent

    def ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            message = self.received.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.get("envelope_id") == envelope_id:
                return message

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(params=["threads", "workers"])
def setup(
    sqlite_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[FakeSlack, Gateway, Any]]:
    """The work after the ack on the client's threads, or in a worker process."""
    fake = FakeSlack().start()
    fake.users["U1"] = user("U1", "Olivia Chen")
    gateway = Gateway()
    fake.ws_url = f"ws://127.0.0.1:{gateway.port}/link/?ticket=abc"
    settings = Settings(
        database_url=sqlite_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=None,
        slack_app_token=APP_TOKEN,
        slack_api_url=fake.url,
    )
    runtime = build(settings, migrate=False)
    pool = None
    if request.param == "workers":
        pool = WorkerPool(lambda _index: worker(runtime), threads=2).start()
    handler = socket_mode(build_app(runtime, hand=pool.submit if pool else None), APP_TOKEN)
    handler.connect()
    assert gateway.connected.wait(5), "the Socket Mode client did not connect"
    yield fake, gateway, runtime
    handler.close()
    if pool is not None:
        pool.stop()
    gateway.stop()
    fake.stop()
    runtime.engine.dispose()


def envelope(fake: FakeSlack, text: str, n: int, retry: int = 0) -> dict[str, Any]:
    body = slash_body(fake, text, "U1", CHANNEL, n)
    body["trigger_id"] = f"socket.trigger.{n}"
    return {
        "envelope_id": f"env-{n}",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": body,
    }


def test_socket_mode_acks_and_runs_the_command(setup: tuple[FakeSlack, Gateway, Any]) -> None:
    fake, gateway, runtime = setup
    opened = fake.of("apps.connections.open")
    assert opened and opened[0].headers["authorization"] == f"Bearer {APP_TOKEN}"
    assert gateway.paths[0].startswith("/link/")

    fake.delays["users.info"] = 2.0  # slow work after the ack must not delay the ack
    sent = gateway.deliver(envelope(fake, 'project create "Socket launch" key SO', 1))
    ack = gateway.ack("env-1")
    assert time.monotonic() - sent < 1.0
    assert ack == {"envelope_id": "env-1"}

    message = fake.wait("chat.postMessage", timeout=10)[0]
    assert message.args["channel"] == CHANNEL
    assert "Project SO Socket launch created" in message.args["text"]
    with Session(runtime.engine) as db:
        binding = db.exec(select(ChannelBinding)).one()
    assert (binding.platform, binding.channel_id) == ("slack", CHANNEL)


def test_socket_mode_redelivery_is_handled_once(setup: tuple[FakeSlack, Gateway, Any]) -> None:
    fake, gateway, runtime = setup
    gateway.deliver(envelope(fake, 'project create "Socket launch" key SO', 1))
    gateway.ack("env-1")
    fake.wait("chat.postMessage")
    add = 'action add "Wire the gateway" owner <@U1> due tomorrow'
    gateway.deliver(envelope(fake, add, 2))
    gateway.ack("env-2")
    gateway.deliver(envelope(fake, add, 2, retry=1))
    gateway.ack("env-2")
    fake.wait("chat.postMessage", 2)
    time.sleep(0.4)
    with Session(runtime.engine) as db:
        titles = [i.title for i in db.exec(select(ActionItem)).all()]
    assert titles == ["Wire the gateway"]
    assert len(fake.of("chat.postMessage")) == 2
