"""The delivery loop across channels, with the clock pinned and waits recorded (no timing):
a paced or throttled channel never holds up a ready one; each channel keeps its order;
a workspace-wide 429 pauses the platform; pacing is shared between replicas."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_scheduler import FakeChatServer, FakeTime, HalfRandom, at, sqlite_runtime

from bot.delivery import RetryLater
from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from bot.outbox.http import WebhookSender
from bot.outbox.loop import DeliveryLoop
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
            {"key": "list_text.more", "params": {"count": i}},
            dedupe_key=f"t:{i}",
        )
        for i, c in enumerate(channels)
    ]
    with transaction(rt.engine) as db:
        enqueue(db, notices, rt.clock.now(), "UTC")


def loop(rt: Runtime, sender, fake: FakeTime) -> DeliveryLoop:  # noqa: ANN001
    return DeliveryLoop(
        rt.engine,
        rt.clock,
        {"console": sender},
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        rng=HalfRandom(),
    )


def sent(server: FakeChatServer) -> list[tuple[str, str]]:
    return [(r["channel"], r["text"].split()[2]) for r in server.requests]  # "… and N more"


def test_a_throttled_channel_does_not_hold_up_a_ready_one(rt: Runtime) -> None:
    queue(rt, "a", "a", "b", "b", "b")
    fake = FakeTime()
    with FakeChatServer([(429, {"Retry-After": "10"})]) as server:  # the first post, to #a
        report = loop(rt, WebhookSender("console", server.url, 60), fake).run_once()
    assert sent(server) == [
        ("a", "0"),  # 429: #a waits 10 s
        ("b", "2"),  # #b goes on at once …
        ("b", "3"),  # … one a second (its own pace)
        ("b", "4"),
        ("a", "0"),  # #a again after its Retry-After, still in its order
        ("a", "1"),
    ]
    assert fake.waits == [1.0, 1.0, 8.0, 1.0]  # never a 10 s sleep while #b was ready
    assert len(report.sent) == 5 and report.throttled == 1


class WorkspaceLimit:
    """A sender whose first answer is a workspace-wide 429 (Retry-After 5)."""

    platform = "console"
    per_channel_per_minute = 0

    def __init__(self, fake: FakeTime) -> None:
        self.fake = fake
        self.posts: list[tuple[str, float]] = []

    def deliver(self, target: Target, payload: str) -> None:
        if not self.posts:
            self.posts.append(("429", self.fake.now))
            raise RetryLater("rate limited", after=5, scope="platform")
        self.posts.append((str(target), self.fake.now))


def test_a_workspace_wide_429_pauses_every_channel_of_the_platform(rt: Runtime) -> None:
    queue(rt, "a", "b", "c")
    fake = FakeTime()
    sender = WorkspaceLimit(fake)
    loop(rt, sender, fake).run_once()
    start = sender.posts[0][1]
    assert [(who, when - start) for who, when in sender.posts] == [
        ("429", 0.0),
        ("#b", 5.0),  # nobody was sent to during the pause
        ("#c", 5.0),
        ("#a", 5.0),  # #a's retry, due at the end of the pause
    ]


def test_replicas_share_each_channels_pace(rt: Runtime) -> None:
    queue(rt, "a", "a")
    fake = FakeTime()
    with FakeChatServer() as server:
        sender = WebhookSender("console", server.url, 20)  # 3 s apart
        first, second = loop(rt, sender, fake), loop(rt, sender, fake)
        first.policy = first.policy.__class__(batch=1, inline_limit=0.0)  # one row, no waiting
        assert len(first.run_once(max_batches=1).sent) == 1
        assert len(second.run_once().sent) == 1  # the other replica waits out #a's pace
    assert fake.waits == [3.0]
    assert sent(server) == [("a", "0"), ("a", "1")]


def test_workers_send_a_claim_at_once_keeping_each_channels_order(rt: Runtime) -> None:
    queue(rt, "a", "b", "c", "a", "b", "c", "a")
    fake = FakeTime()
    with FakeChatServer() as server:
        sender = WebhookSender("console", server.url, 60)
        threaded = DeliveryLoop(
            rt.engine,
            rt.clock,
            {"console": sender},
            sleep=fake.sleep,
            monotonic=fake.monotonic,
            workers=3,
        )
        report = threaded.run_once()
    assert len(report.sent) == 7 and report.failed == []
    by_channel: dict[str, list[str]] = {}
    for channel, n in sent(server):
        by_channel.setdefault(channel, []).append(n)
    assert by_channel == {"a": ["0", "3", "6"], "b": ["1", "4"], "c": ["2", "5"]}
    assert fake.waits == [1.0, 1.0]  # three channels a second, not one message a second
