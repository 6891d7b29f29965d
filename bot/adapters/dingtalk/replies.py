"""Direct replies: through the message's session webhook, else through the OpenAPI.

A session webhook needs no token and answers in the conversation the command
came from. It runs in the adapter's I/O threads (blocking `requests`), is
retried briefly when DingTalk says "too fast" or fails transiently, and falls
back to the proactive sender when it has expired or keeps failing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from bot.adapters.dingtalk.inbound import Route
from bot.adapters.dingtalk.markdown import DingTalkMessage, send_message_url
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.adapters.dingtalk.split import as_sent, split
from bot.delivery import DeliveryFailed, RetryLater

log = logging.getLogger(__name__)
THROTTLED = {130101, 130102, 130103}  # "send too fast" family of robot errcodes
TIMEOUT = 10.0
JSON = {"Content-Type": "application/json; charset=utf-8"}


def webhook_body(message: DingTalkMessage, at_user: str | None) -> dict[str, Any]:
    if message.buttons:
        card = {"title": message.title, "text": message.text, "btnOrientation": "0"}
        card["btns"] = [{"title": t, "actionURL": send_message_url(c)} for t, c in message.buttons]
        return {"msgtype": "actionCard", "actionCard": card}
    at_user = at_user if at_user and not at_user.startswith("$:") else None  # staff ids only
    text = f"@{at_user} {message.text}" if at_user else message.text
    markdown = {"title": message.title, "text": text}
    body: dict[str, Any] = {"msgtype": "markdown", "markdown": markdown}
    if at_user:
        body["at"] = {"atUserIds": [at_user], "isAtAll": False}
    return body


class Replier:
    def __init__(
        self, sender: DingTalkSender, attempts: int = 3, pause: float = 1.0, http=None
    ) -> None:  # noqa: ANN001
        self.sender = sender
        self.attempts, self.pause = attempts, pause
        self.http = http or requests.Session()

    def _usable(self, route: Route) -> bool:
        expires = route.webhook_expires_ms
        return bool(route.webhook) and (not expires or expires > time.time() * 1000 + 5000)

    def _webhook(self, route: Route, message: DingTalkMessage, private: bool) -> bool:
        body = webhook_body(message, route.at_user if private else None)
        for attempt in range(self.attempts):
            try:
                response = self.http.post(
                    str(route.webhook), data=as_sent(body), headers=JSON, timeout=TIMEOUT
                )
                answer = response.json() if response.content else {}
            except (requests.RequestException, ValueError) as error:
                problem, transient = f"{type(error).__name__}: {error}", True
            else:
                errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
                if response.ok and not errcode:
                    return True
                problem = f"HTTP {response.status_code} errcode {errcode}"
                transient = response.status_code in (429,) or response.status_code >= 500
                transient = transient or errcode in THROTTLED
            log.warning("session webhook reply failed (%s), attempt %d", problem, attempt + 1)
            if not transient:
                return False
            time.sleep(self.pause * 2**attempt)
        return False

    def send(self, route: Route, message: DingTalkMessage, private: bool = False) -> str:
        """Post one reply, as several messages when it is over DingTalk's size limit;
        returns how the last went: "webhook", "openapi" or "failed" (logged)."""
        at_user = route.at_user if private else None
        parts = split(message, lambda m: len(as_sent(webhook_body(m, at_user))))
        return [self._send_one(route, part, private) for part in parts][-1]

    def _send_one(self, route: Route, message: DingTalkMessage, private: bool) -> str:
        if self._usable(route) and self._webhook(route, message, private):
            if not route.is_dm:
                self.sender.pacer.note(route.fallback.channel_id or "")
            return "webhook"
        try:
            self.sender.deliver(route.fallback, message.to_payload())
            return "openapi"
        except (RetryLater, DeliveryFailed) as error:
            log.error("a reply to %s was lost: %s", route.fallback, error)
            return "failed"
