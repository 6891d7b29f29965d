"""The Bolt app: `/tf` and the buttons, acked at once, worked on after the ack.

`process_before_response=True` makes Bolt run the ack function in the request
thread and answer Slack as soon as it returns, with no polling for `ack()`; the
real work is a lazy listener on Bolt's thread pool. Nothing before the ack
touches the database (the repeat check there is in memory, see once.py), so
the 3-second window holds whatever a command costs and however busy the
database is, in HTTP and in Socket Mode alike.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.adapters.slack.listeners import SlackBot
from bot.adapters.slack.once import Once
from bot.runtime import Runtime
from bot.settings import Settings

ANY_COMMAND = re.compile(r"^/")  # /tf, or whatever name a workspace gave it
OUR_BUTTONS = re.compile(r"^tf:")


def api_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def web_client(settings: Settings, timeout: int = 30) -> WebClient:
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…)")
    return WebClient(
        token=settings.slack_bot_token, base_url=api_base(settings.slack_api_url), timeout=timeout
    )


def _ack(ack: Ack) -> None:
    ack()


def build_app(runtime: Runtime, client: WebClient | None = None) -> App:
    """The Bolt app for `runtime`; App() checks the token with `auth.test` right away."""
    settings = runtime.settings
    client = client or web_client(settings)
    app = App(
        name="taskforce",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
    )
    bot = SlackBot(runtime.dispatcher, client)
    app.use(Once().middleware)
    app.command(ANY_COMMAND)(ack=_ack, lazy=[bot.on_command])
    app.action(OUR_BUTTONS)(ack=_ack, lazy=[bot.on_click])
    return app
