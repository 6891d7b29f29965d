"""Trials: an outbox that rides out outages.

A chat platform down for most of an hour: nothing is marked failed, everything goes
out once when it is back. A channel whose Web API hangs holds only itself. Waits
are recorded by an injected sleep and the pinned clock is moved on, so an hour
takes a second.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from support_scheduler import FakeChatServer, FakeTime, HalfRandom, at, rows, sqlite_runtime
from trial_report import Trial

from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from bot.outbox.http import WebhookSender
from bot.outbox.loop import DeliveryLoop
from bot.outbox.pacing import RetryPolicy
from bot.runtime import Runtime
from storage.engine import transaction


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return sqlite_runtime(tmp_path, at("2026-11-20T17:00"))


def queue(rt: Runtime, *channels: str) -> None:
    notices = [
        Notice(
            Target("console", channel_id=c),
            "message",
            {"key": "quiet.off", "params": {}},
            dedupe_key=f"trial:{i}",
        )
        for i, c in enumerate(channels)
    ]
    with transaction(rt.engine) as db:
        enqueue(db, notices, rt.clock.now(), "UTC")


def test_the_default_schedule_rides_out_about_an_hour(trial: Trial) -> None:
    trial.tried("the default retry policy: how long from the first attempt to `failed`")
    shortest, longest = RetryPolicy().span()
    assert shortest >= 60 * 60 and longest <= 3 * 60 * 60, (shortest, longest)
    trial.held(f"{shortest / 60:.0f}–{longest / 60:.0f} min of retries before a row fails")


def test_a_55_minute_outage_loses_nothing_and_sends_once(rt: Runtime, trial: Trial) -> None:
    queue(rt, "ops", "eng")
    fake = FakeTime()
    outage_ends = rt.clock.now() + timedelta(minutes=55)
    down = threading.Event()
    down.set()
    with FakeChatServer() as server:
        server.script = []
        sender = WebhookSender("console", server.url, per_channel_per_minute=0, timeout=2)
        loop = DeliveryLoop(
            rt.engine, rt.clock, {"console": sender},
            sleep=fake.sleep, monotonic=fake.monotonic, rng=HalfRandom(),
        )
        trial.tried("the platform answers 503 to everything for 55 minutes (every minute a round)")
        rounds = 0
        while rt.clock.now() < outage_ends:
            server.script = [(503, {})] * 100
            loop.run_once()
            rounds += 1
            rt.clock.advance(timedelta(minutes=1))
        assert [r.state for r in rows(rt)] == ["queued", "queued"]
        trial.held(f"after {rounds} rounds and {len(server.requests)} refused tries: still queued")
        server.script = []
        tries_in_outage = len(server.requests)
        trial.tried("the platform is back; rounds go on until the retries come due")
        for _ in range(15):
            rt.clock.advance(timedelta(minutes=1))
            loop.run_once()
    assert [r.state for r in rows(rt)] == ["sent", "sent"]
    delivered = server.requests[tries_in_outage:]
    assert sorted(r["channel"] for r in delivered) == ["eng", "ops"]
    trial.held("both messages delivered, each exactly once, within 15 min of the end")


class HangingChannel(FakeChatServer):
    """Answers at once, except to channel `stuck`: that request waits until released."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: dict[str, float] = {}
        self.stuck = threading.Event()
        server = self
        handler = self.httpd.RequestHandlerClass
        original = handler.do_POST

        def do_post(request) -> None:  # noqa: ANN001
            length = int(request.headers["Content-Length"])
            body = request.rfile.read(length)
            if b'"stuck"' in body:
                server.stuck.set()
                server._released.wait(30)
            request.rfile = _Replay(body)
            original(request)
            server.answered.setdefault(body.decode(), time.monotonic())

        handler.do_POST = do_post  # type: ignore[method-assign]


class _Replay:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, _: int) -> bytes:
        return self.body


def test_a_hanging_channel_holds_only_itself(rt: Runtime, trial: Trial) -> None:
    queue(rt, "stuck", "a", "b", "c", "d", "e", "f")
    with HangingChannel() as server:
        sender = WebhookSender("console", server.url, per_channel_per_minute=0, timeout=3)
        loop = DeliveryLoop(rt.engine, rt.clock, {"console": sender}, workers=3)
        trial.tried("7 channels, 3 sends at a time; the Web API never answers for #stuck")
        started = time.monotonic()
        thread = threading.Thread(target=loop.run_once)
        thread.start()
        assert server.stuck.wait(10)
        deadline = time.monotonic() + 10
        while len(server.answered) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        others = time.monotonic() - started
        assert len(server.answered) == 6, server.answered  # all but #stuck, while it hangs
        trial.held(f"the 6 other channels were answered within {others:.1f} s while #stuck hung")
        while not rows(rt, channel_id="stuck")[0].attempts and time.monotonic() < deadline:
            time.sleep(0.05)
        waited = time.monotonic() - started
        server.release()
        thread.join(30)
    states = {r.channel_id: r.state for r in rows(rt)}
    assert [c for c, s in states.items() if s != "sent"] == []
    [stuck] = rows(rt, channel_id="stuck")
    assert stuck.attempts >= 2 and 3 <= waited < 6, (stuck.attempts, waited)
    trial.held(
        f"#stuck's request timed out after 3 s ({waited:.1f} s from the start), was retried,"
        f" and went out when the API answered ({stuck.attempts} attempts)"
    )
