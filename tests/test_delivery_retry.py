"""The delivery loop against a local fake chat server: Retry-After, backoff, giving up,
pacing. Waits are recorded by an injected sleep instead of slept."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from support_scheduler import FakeChatServer, FakeTime, HalfRandom, at, rows, sqlite_runtime

from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from bot.outbox.http import WebhookSender
from bot.outbox.loop import DeliveryLoop
from bot.outbox.pacing import RetryPolicy
from bot.outbox.report import print_status
from bot.runtime import Runtime
from storage.engine import transaction

SIX = RetryPolicy(max_attempts=6)


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return sqlite_runtime(tmp_path, at("2026-11-20T17:00"))


def queue(rt: Runtime, *targets: str) -> None:
    notices = [
        Notice(
            Target("console", channel_id=t[1:])
            if t.startswith("#")
            else Target("console", user_id=t[1:]),
            "message",
            {"key": "quiet.off", "params": {}},
            dedupe_key=f"test:{i}",
        )
        for i, t in enumerate(targets)
    ]
    with transaction(rt.engine) as db:
        enqueue(db, notices, rt.clock.now(), "UTC")


def loop(
    rt: Runtime, url: str, fake: FakeTime, per_minute: int = 60, policy: RetryPolicy | None = None
) -> DeliveryLoop:
    sender = WebhookSender("console", url, per_channel_per_minute=per_minute)
    return DeliveryLoop(
        rt.engine,
        rt.clock,
        {"console": sender},
        policy=policy,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        rng=HalfRandom(),
    )


def test_429_then_500_then_200_delivers_once_after_the_right_waits(rt: Runtime) -> None:
    queue(rt, "#ops")
    fake = FakeTime()
    script = [(429, {"Retry-After": "2"}), (500, {})]
    with FakeChatServer(script) as server:
        report = loop(rt, server.url, fake).run_once()
    assert fake.waits == [2.0, 1.5]  # Retry-After; then backoff 2 s × jitter 0.75
    assert len(server.requests) == 3
    assert server.requests[0] == {"channel": "ops", "text": server.requests[2]["text"]}
    assert [r.channel_id for r in report.sent] == ["ops"] and report.failed == []
    [row] = rows(rt)
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, None)
    with FakeChatServer() as again:
        assert loop(rt, again.url, fake).run_once().sent == []  # nothing is sent twice
        assert again.requests == []


def test_a_permanent_error_fails_at_once_and_stays_visible(rt: Runtime) -> None:
    queue(rt, "@cid")
    fake = FakeTime()
    with FakeChatServer([(404, {})]) as server:
        report = loop(rt, server.url, fake).run_once()
    assert len(server.requests) == 1 and fake.waits == []
    [row] = rows(rt)
    assert row.state == "failed" and "HTTP 404" in row.last_error
    assert report.failed[0].id == row.id
    out = io.StringIO()
    print_status(rt.settings, out)
    assert "1 failed" in out.getvalue() and "HTTP 404" in out.getvalue()


def test_gives_up_after_the_bound_with_exponential_waits(rt: Runtime) -> None:
    queue(rt, "#ops")
    fake = FakeTime()
    with FakeChatServer([(503, {})] * 10) as server:
        # unpaced: only the backoff; a short bound (the default rides out an hour)
        loop(rt, server.url, fake, per_minute=0, policy=SIX).run_once()
    assert len(server.requests) == 6
    assert fake.waits == [0.75, 1.5, 3.0, 6.0, 12.0]
    [row] = rows(rt)
    assert row.state == "failed" and row.attempts == 6
    assert row.last_error.startswith("gave up after 6 attempts: HTTP 503")


def test_connection_refused_is_retried_then_reported(rt: Runtime) -> None:
    queue(rt, "#ops")
    fake = FakeTime()
    with FakeChatServer() as server:
        url = server.url
    loop(rt, url, fake, per_minute=0, policy=SIX).run_once()  # the server is gone: refused
    [row] = rows(rt)
    assert row.state == "failed" and "network error" in row.last_error and len(fake.waits) == 5


def test_a_long_retry_after_gives_the_row_back_until_then(rt: Runtime) -> None:
    queue(rt, "#ops")
    fake = FakeTime()
    with FakeChatServer([(429, {"Retry-After": "120"})]) as server:
        report = loop(rt, server.url, fake).run_once()
        assert fake.waits == [] and report.deferred == 1
        [row] = rows(rt)
        assert row.state == "queued" and row.next_attempt_at == rt.clock.now() + timedelta(
            seconds=120
        )
        rt.clock.advance(timedelta(seconds=60))  # 60 s more to wait: over the inline limit
        assert loop(rt, server.url, fake).run_once().sent == []
        rt.clock.advance(timedelta(seconds=60))
        assert len(loop(rt, server.url, fake).run_once().sent) == 1
        assert fake.waits == []
    assert len(server.requests) == 2


def test_retries_to_one_channel_are_paced_too(rt: Runtime) -> None:
    queue(rt, "#ops")
    fake = FakeTime()
    with FakeChatServer([(500, {})]) as server:
        loop(rt, server.url, fake, per_minute=60).run_once()
    assert fake.waits == [1.0]  # backoff 0.75 s, but the channel's pacing asks for 1 s


def test_pacing_per_channel(rt: Runtime) -> None:
    queue(rt, "#ops", "#ops", "#ops", "#other")
    fake = FakeTime()
    with FakeChatServer() as server:
        loop(rt, server.url, fake, per_minute=20).run_once()  # a DingTalk robot: 3 s apart
    assert [r.get("channel") for r in server.requests] == ["ops", "other", "ops", "ops"]
    assert fake.waits == [3.0, 3.0]
