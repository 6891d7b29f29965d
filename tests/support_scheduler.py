"""Shared helpers for the scheduler/outbox tests: a migrated temp database, a pinned
runtime, commands through the real dispatcher, and ticks through the real jobs."""

from __future__ import annotations

import io
import json
import random
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.messages import Inbound
from bot.outbox.console import ConsoleSender
from bot.outbox.loop import target_of
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.tick import tick
from storage.delivery_tables import OutboxMessage
from storage.engine import transaction

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    """An instant written in Berlin time (the test projects' timezone)."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def runtime_at(url: str, when: datetime) -> Runtime:
    return build(Settings(database_url=url, now=when, timezone="Europe/Berlin", locale="en"))


def sqlite_runtime(tmp_path: Path, when: datetime) -> Runtime:
    return runtime_at(f"sqlite:///{tmp_path / 'tf.db'}", when)


def inbound(user: str, text: str, channel: str = "ops") -> Inbound:
    return Inbound(
        platform="console",
        user_id=user,
        user_name=user,
        text=text,
        channel_id=f"dm:{user}" if channel == "dm" else channel,
        is_dm=channel == "dm",
    )


def say(runtime: Runtime, user: str, text: str, channel: str = "ops") -> str:
    """One console command through the dispatcher (it must succeed); the replies, as text."""
    replies = runtime.dispatcher.handle(inbound(user, text, channel))
    for reply in replies:
        assert reply.template != "error", (text, reply.data)
    return repr(replies)


def seed_project(runtime: Runtime, key: str = "OPS", channel: str = "ops") -> None:
    """A weekends-calendar project in Berlin: owner ann, lead bob, member cid."""
    say(runtime, "ann", f"project create Ops key {key} tz Europe/Berlin calendar weekends", channel)
    say(runtime, "ann", "dept add Eng head @ann", channel)
    say(runtime, "ann", "member add @bob dept Eng role lead", channel)
    say(runtime, "ann", "member add @cid dept Eng", channel)


def run_tick(runtime: Runtime, when: datetime) -> list[tuple[str, str]]:
    """Move the clock and tick; what was delivered, as (target, text) in order."""
    runtime.clock.set(when)
    out = io.StringIO()
    sent: list[tuple[str, str]] = []
    tick(
        runtime.engine,
        runtime.clock,
        runtime.settings,
        {"console": ConsoleSender(out)},
        on_sent=lambda row: sent.append((str(target_of(row)), row.payload)),
    )
    assert out.getvalue().count("\n→ ") + out.getvalue().startswith("→ ") >= len(sent)
    return sent


def rows(runtime: Runtime, **where: object) -> list[OutboxMessage]:
    with transaction(runtime.engine) as db:
        query = select(OutboxMessage)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(db.exec(query.order_by(OutboxMessage.id)).all())


class FakeChatServer:
    """A local HTTP server answering POSTs from a script of (status, headers) replies.

    When the script runs out it answers 200. `hang` makes every request wait
    until `release()` (a server that never answers in time).
    """

    def __init__(self, script: list[tuple[int, dict[str, str]]] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[dict] = []
        self.hang = threading.Event()
        self._released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if server.hang.is_set():
                    server._released.wait(30)
                status, headers = server.script.pop(0) if server.script else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                payload = b'{"ok": true}' if status == 200 else b'{"error": "nope"}'
                self.send_header("Content-Length", str(len(payload)))
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client is gone (killed mid-request)
                    pass

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeChatServer:
        self.thread.start()
        return self

    def release(self) -> None:
        self._released.set()

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeTime:
    """Injected sleep and monotonic clock: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


class HalfRandom(random.Random):
    """Jitter pinned to the middle of its range (factor 0.75)."""

    def random(self) -> float:
        return 0.5
