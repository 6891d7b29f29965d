"""The Slack adapter (slack-bolt): `/tf`, Block Kit buttons, HTTP and Socket Mode.

The only package allowed to import slack_bolt and slack_sdk, and only on use:
`import bot.adapters.slack` (or its `render` module, the outbox's renderer for
Slack targets) loads neither. Entry points: `run_slack(runtime, port)` for
`taskforce run --platform slack`, and `make_sender(settings)` for the outbox.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapters.slack.app import build_app
    from bot.adapters.slack.render import OutboxRenderer, SlackMessage, SlackRenderer
    from bot.adapters.slack.sender import SlackSender
    from bot.adapters.slack.serve import HttpServing, run_slack
    from bot.settings import Settings

# public name -> the module that defines it, imported when the name is first used (PEP 562)
_LAZY = {
    "build_app": "bot.adapters.slack.app",
    "HttpServing": "bot.adapters.slack.serve",
    "run_slack": "bot.adapters.slack.serve",
    "OutboxRenderer": "bot.adapters.slack.render",
    "SlackMessage": "bot.adapters.slack.render",
    "SlackRenderer": "bot.adapters.slack.render",
    "SlackSender": "bot.adapters.slack.sender",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def make_sender(settings: Settings) -> SlackSender:
    """The outbox's sender for Slack: a short timeout and no retry inside the SDK (the
    outbox retries, so a hanging Web API costs one timeout an attempt, not two)."""
    from bot.adapters.slack.app import web_client
    from bot.adapters.slack.sender import REQUEST_TIMEOUT, SlackSender

    client = web_client(settings, timeout=REQUEST_TIMEOUT)
    client.retry_handlers = []
    return SlackSender(client)


__all__ = [
    "HttpServing",
    "OutboxRenderer",
    "SlackMessage",
    "SlackRenderer",
    "SlackSender",
    "build_app",
    "make_sender",
    "run_slack",
]
