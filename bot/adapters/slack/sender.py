"""The outbox's Slack sender (bot/delivery.py's `Sender`).

A payload is what `SlackMessage.payload()` stores: JSON with `text` and
`blocks` (plain text is accepted too); with a `ts` it replaces that message
(`chat.update`) instead of posting a new one. A person is reached in their DM
with the bot (`conversations.open`, cached). Faults are sorted for the outbox:
HTTP 429 -> RetryLater(after=Retry-After); 5xx, Slack's transient errors,
timeouts and connection errors -> RetryLater; anything else (unknown channel,
revoked token, bad blocks) -> DeliveryFailed.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.text import mrkdwn
from bot.delivery import DeliveryFailed, RetryLater
from bot.messages import Target

REQUEST_TIMEOUT = 10  # seconds; Slack answers chat.postMessage in well under one
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}


def parse_payload(payload: str) -> dict[str, Any]:
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if isinstance(data, dict) and ("text" in data or "blocks" in data):
        return data
    return {"text": mrkdwn(payload)}


def _retry_after(error: SlackApiError) -> float | None:
    headers = error.response.headers or {}
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


class SlackSender:
    platform = "slack"
    per_channel_per_minute = 60  # Slack: about one message a second per channel
    per_workspace_per_second = 50  # and a workspace-wide burst limit (paced, shared)

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._dms: dict[str, str] = {}
        self._lock = threading.Lock()

    def deliver(self, target: Target, payload: str) -> None:
        try:
            self._deliver(target, parse_payload(payload))
        except SlackApiError as error:
            status = error.response.status_code
            data = error.response.data
            code = str(data.get("error", "")) if isinstance(data, dict) else ""
            if status == 429 or code == "ratelimited":
                # the loop paces each channel itself: a 429 is the workspace's limit
                raise RetryLater(
                    "slack: rate limited", after=_retry_after(error), scope="platform"
                ) from error
            if status >= 500 or code in TRANSIENT:
                raise RetryLater(f"slack: {status} {code}".strip()) from error
            raise DeliveryFailed(f"slack: {code or status}") from error
        except (DeliveryFailed, RetryLater):
            raise
        except (OSError, TimeoutError, ValueError) as error:  # network, timeout, garbled answer
            raise RetryLater(f"slack: {type(error).__name__}: {error}") from error

    def _deliver(self, target: Target, message: dict[str, Any]) -> None:
        channel = target.channel_id or self._dm(target.user_id)
        content = {"text": message.get("text") or " ", "blocks": message.get("blocks") or None}
        if message.get("ts"):
            self.client.chat_update(channel=channel, ts=message["ts"], **content)
        else:
            self.client.chat_postMessage(channel=channel, **content)

    def _dm(self, user_id: str | None) -> str:
        if not user_id:
            raise DeliveryFailed("slack: a target needs a channel or a user")
        with self._lock:
            known = self._dms.get(user_id)
        if known:
            return known
        channel = self.client.conversations_open(users=user_id)["channel"]["id"]
        with self._lock:
            self._dms[user_id] = channel
        return channel
