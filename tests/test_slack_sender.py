"""The outbox's Slack sender against the local fake Web API: where messages go and
how each fault is classified for the outbox (retry later, or give up)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from slack_fake import BOT_TOKEN, FakeSlack
from slack_sdk import WebClient

from bot.adapters.slack import SlackRenderer, SlackSender, make_sender
from bot.delivery import DeliveryFailed, RetryLater
from bot.messages import Target
from bot.settings import Settings

CHANNEL = Target("slack", channel_id="C0LAUNCH")
PERSON = Target("slack", user_id="U2")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def sender(fake: FakeSlack) -> SlackSender:
    return make_sender(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=fake.url))


def payload() -> str:
    item = {
        "id": "A3",
        "title": "Ping <!channel> & co",
        "owner": "Max",
        "due": date(2026, 11, 20),
        "status": "open",
        "late": 2,
        "blocked_reason": None,
        "slips": 0,
    }
    data = {"items": [item], "total": 1, "more": 0, "filter": "overdue", "projects": ["LA"]}
    return SlackRenderer().message("action_list", data, "en").payload()


def test_posts_rendered_blocks_to_a_channel(fake: FakeSlack, sender: SlackSender) -> None:
    sender.deliver(CHANNEL, payload())
    (call,) = fake.of("chat.postMessage")
    assert call.args["channel"] == "C0LAUNCH"
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert "Overdue items (1)" in call.args["text"]
    assert "Ping &lt;!channel&gt; &amp; co" in call.dump()
    assert "<!channel>" not in call.dump()
    assert any(b["type"] == "actions" for b in call.args["blocks"])


def test_a_person_is_reached_in_their_dm_opened_once(fake: FakeSlack, sender: SlackSender) -> None:
    sender.deliver(PERSON, "Reminder: <A3> is due tomorrow")
    sender.deliver(PERSON, "Second")
    assert [c.args["users"] for c in fake.of("conversations.open")] == ["U2"]
    first, second = fake.of("chat.postMessage")
    assert first.args["channel"] == second.args["channel"] == "DU2"
    assert first.args["text"] == "Reminder: &lt;A3&gt; is due tomorrow"  # plain text is escaped


def test_a_payload_with_ts_updates_that_message(fake: FakeSlack, sender: SlackSender) -> None:
    sender.deliver(CHANNEL, json.dumps({"text": "new", "ts": "1763430000.000001"}))
    (call,) = fake.of("chat.update")
    assert (call.args["channel"], call.args["ts"], call.args["text"]) == (
        "C0LAUNCH",
        "1763430000.000001",
        "new",
    )


def test_429_is_retry_later_after_retry_after(fake: FakeSlack, sender: SlackSender) -> None:
    fake.fail_next(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}
    )
    with pytest.raises(RetryLater) as caught:
        sender.deliver(CHANNEL, "hello")
    assert caught.value.after == 7.0


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, "<html>Service Unavailable</html>"), (500, {"ok": False, "error": "internal_error"})],
)
def test_server_errors_are_retry_later(
    fake: FakeSlack, sender: SlackSender, status: int, body: object
) -> None:
    fake.fail_next("chat.postMessage", status, body)
    with pytest.raises(RetryLater):
        sender.deliver(CHANNEL, "hello")


def test_a_timeout_is_retry_later(fake: FakeSlack) -> None:
    fake.delays["chat.postMessage"] = 2.0
    quick = SlackSender(WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=1))
    with pytest.raises(RetryLater):
        quick.deliver(CHANNEL, "hello")


def test_a_closed_port_is_retry_later() -> None:
    gone = SlackSender(WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=1))
    with pytest.raises(RetryLater):
        gone.deliver(CHANNEL, "hello")


@pytest.mark.parametrize("error", ["channel_not_found", "invalid_auth", "invalid_blocks"])
def test_permanent_faults_are_delivery_failed(
    fake: FakeSlack, sender: SlackSender, error: str
) -> None:
    fake.fail_next("chat.postMessage", 200, {"ok": False, "error": error})
    with pytest.raises(DeliveryFailed, match=error):
        sender.deliver(CHANNEL, "hello")


def test_pacing_contract() -> None:
    assert SlackSender.platform == "slack"
    assert SlackSender.per_channel_per_minute == 60
