"""The Slack adapter (slack-bolt): `/tf`, Block Kit buttons, HTTP and Socket Mode.

The only package allowed to import slack_bolt and slack_sdk. Entry points:
`run_slack(runtime, port)` for `taskforce run --platform slack`, and
`make_sender(settings)` / `SlackRenderer` for the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters.slack.app import build_app, web_client
from bot.adapters.slack.render import SlackMessage, SlackRenderer
from bot.adapters.slack.sender import SlackSender
from bot.adapters.slack.serve import HttpServing, run_slack
from bot.settings import Settings


class OutboxRenderer:
    """Notices for Slack targets as the JSON payloads (text + blocks) SlackSender posts."""

    def __init__(self) -> None:
        self._slack = SlackRenderer()

    def render(self, kind: str, data: Mapping[str, Any], locale: str) -> str:
        return self._slack.message(kind, data, locale).payload()


def register_renderer() -> None:
    """Have the outbox render notices for Slack targets as Block Kit payloads."""
    from bot.outbox.enqueue import register_renderer as register

    register("slack", OutboxRenderer())


def make_sender(settings: Settings) -> SlackSender:
    """The outbox's sender for Slack (short timeout: the outbox retries)."""
    register_renderer()
    return SlackSender(web_client(settings, timeout=10))


__all__ = [
    "HttpServing",
    "SlackMessage",
    "SlackRenderer",
    "SlackSender",
    "build_app",
    "make_sender",
    "register_renderer",
    "run_slack",
]
