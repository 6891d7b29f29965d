"""Proactive posts: the DingTalk sender behind the outbox (bot/delivery.py's contract).

A channel target is a group (its openConversationId, which is the
`conversationId` robot messages carry) and goes through
`/v1.0/robot/groupMessages/send`; a user target (a staffId) goes through
`/v1.0/robot/oToMessages/batchSend`. The payload is DingTalkRenderer output.
In a DM, buttons make an ActionCard whose buttons send the command as the
user's own message; in a group they become a line of typed commands.
A group accepts about 20 robot messages a minute: the pacer refuses the 21st
with `RetryLater(after=…)` instead of letting DingTalk throttle it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from bot.adapters.dingtalk.markdown import DingTalkMessage, send_message_url
from bot.adapters.dingtalk.openapi import OpenApi
from bot.adapters.dingtalk.split import as_sent, split
from bot.delivery import DeliveryFailed, RetryLater
from bot.messages import Target

GROUP_SEND = "/v1.0/robot/groupMessages/send"
DM_SEND = "/v1.0/robot/oToMessages/batchSend"
PER_MINUTE = 20


class Pacer:
    """At most `limit` posts per `window` seconds per key (a sliding window)."""

    def __init__(self, limit: int = PER_MINUTE, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        sent = self._sent.setdefault(key, deque())
        while sent and now - sent[0] >= self.window:
            sent.popleft()
        return sent

    def take(self, key: str) -> None:
        """Claim a slot for `key`, or raise RetryLater with the wait until one frees."""
        with self._lock:
            now = time.monotonic()
            sent = self._recent(key, now)
            if len(sent) >= self.limit:
                wait = self.window - (now - sent[0])
                raise RetryLater(f"{key}: {self.limit} posts a minute reached", after=wait)
            sent.append(now)

    def note(self, key: str) -> None:
        """Count a post that was not paced (a direct reply) toward `key`'s window."""
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)


def robot_message(message: DingTalkMessage) -> tuple[str, dict[str, Any]]:
    """The OpenAPI msgKey and msgParam for a message: markdown, or an ActionCard."""
    base = {"title": message.title, "text": message.text}
    buttons = message.buttons
    if not buttons:
        return "sampleMarkdown", base
    if len(buttons) == 1:
        label, command = buttons[0]
        return "sampleActionCard", {
            **base,
            "singleTitle": label,
            "singleURL": send_message_url(command),
        }
    param = dict(base)
    for i, (label, command) in enumerate(buttons, start=1):
        param[f"actionTitle{i}"] = label
        param[f"actionURL{i}"] = send_message_url(command)
    return f"sampleActionCard{len(buttons)}", param


class DingTalkSender:
    platform = "dingtalk"
    per_channel_per_minute = PER_MINUTE

    def __init__(self, api: OpenApi, robot_code: str, pacer: Pacer | None = None) -> None:
        self.api = api
        self.robot_code = robot_code
        self.pacer = pacer or Pacer()

    def body(self, target: Target, message: DingTalkMessage) -> dict[str, Any]:
        """The OpenAPI body for one message to `target`."""
        msg_key, msg_param = robot_message(message)
        body: dict[str, Any] = {
            "robotCode": self.robot_code,
            "msgKey": msg_key,
            "msgParam": json.dumps(msg_param, ensure_ascii=False),
        }
        if target.channel_id:
            if message.at:  # @-mentions: `@<staffId>` in the text, the ids in atUserIds
                body["at"] = {"atUserIds": list(message.at), "isAtAll": False}
            return {**body, "openConversationId": target.channel_id}
        return {**body, "userIds": [target.user_id]}

    def deliver(self, target: Target, payload: str) -> None:
        """Post one payload; a long one as several messages under DingTalk's size limit."""
        message = DingTalkMessage.parse(payload)
        message = message.for_group() if target.channel_id else message
        for part in split(message, lambda m: len(as_sent(self.body(target, m)))):
            self._post(target, part)

    def _post(self, target: Target, message: DingTalkMessage) -> None:
        body = self.body(target, message)
        if target.channel_id:
            self.pacer.take(target.channel_id)
            self.api.post(GROUP_SEND, body)
            return
        if not target.user_id:
            raise DeliveryFailed(f"no channel or user in {target!r}")
        answer = self.api.post(DM_SEND, body)
        if target.user_id in (answer.get("invalidStaffIdList") or []):
            raise DeliveryFailed(f"DingTalk does not know staff id {target.user_id}")
        if target.user_id in (answer.get("flowControlledStaffIdList") or []):
            raise RetryLater(f"DingTalk throttled the DM to {target.user_id}")
