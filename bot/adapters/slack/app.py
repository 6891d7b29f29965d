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

from bot.adapters.slack.escalation_modals import Modals
from bot.adapters.slack.listeners import SlackBot
from bot.adapters.slack.modals import CALLBACK, ReasonModals
from bot.adapters.slack.once import Once
from bot.adapters.slack.topic_modal import ACTION as TOPIC_ACTION
from bot.adapters.slack.topic_modal import CALLBACK as TOPIC_CALLBACK
from bot.adapters.slack.topic_modal import TopicModal
from bot.runtime import Runtime
from bot.settings import Settings

ANY_COMMAND = re.compile(r"^/")  # /tf, or whatever name a workspace gave it
OUR_BUTTONS = re.compile(r"^tf:")
REASON_BUTTONS = re.compile(r"^tfreason:")  # a modal asks for the reason first
MODAL_BUTTONS = re.compile(r"^tfmodal:(ack|resolve):")  # escalations: an ETA or a resolution
OUR_MODALS = re.compile(r"^tf:(ack|resolve)$")


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
    reasons = ReasonModals(bot)  # a review's Request changes
    app.action(REASON_BUTTONS)(ack=_ack, lazy=[reasons.on_click])
    app.view(CALLBACK)(ack=_ack, lazy=[reasons.on_submit])
    topic = TopicModal(runtime.dispatcher, client, bot.directory)  # the agenda's "Add topic"
    app.action(TOPIC_ACTION)(ack=_ack, lazy=[topic.open])
    app.view(TOPIC_CALLBACK)(ack=topic.ack, lazy=[topic.submit])
    escalation = Modals(  # an escalation's Acknowledge (ETA) and Resolve
        runtime.dispatcher, client, bot.directory, runtime.clock, settings.timezone
    )
    app.action(MODAL_BUTTONS)(ack=_ack, lazy=[escalation.open])
    app.view(OUR_MODALS)(ack=escalation.check, lazy=[escalation.submit])
    return app
