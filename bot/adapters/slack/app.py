"""The Bolt app: `/tf` and the buttons, acked at once, worked on after the ack.

`process_before_response=True` makes Bolt run the ack function in the request
thread and answer Slack as soon as it returns, with no polling for `ack()`; the
real work is a lazy listener on Bolt's thread pool, or in a worker process
(handoff.py). Nothing before the ack
touches the database (the repeat check there is in memory, see once.py), so
the 3-second window holds whatever a command costs and however busy the
database is, in HTTP and in Socket Mode alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.adapters.slack.escalation_modals import Modals
from bot.adapters.slack.handoff import Hand, Handed, handing
from bot.adapters.slack.listeners import SlackBot
from bot.adapters.slack.modals import CALLBACK, ReasonModals
from bot.adapters.slack.once import Once
from bot.adapters.slack.topic_modal import ACTION as TOPIC_ACTION
from bot.adapters.slack.topic_modal import CALLBACK as TOPIC_CALLBACK
from bot.adapters.slack.topic_modal import TopicModal
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
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


def build_app(
    runtime: Runtime,
    client: WebClient | None = None,
    *,
    verify: bool = True,
    hand: Hand | None = None,
) -> App:
    """The Bolt app for `runtime`; App() checks the token with `auth.test` right away.

    With `hand`, each listener acks and hands its request over for a worker to do the
    work (handoff.py); `verify=False` only for a worker's app, never reached from outside."""
    settings = runtime.settings
    client = client or web_client(settings)
    app = App(
        name="taskforce",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        request_verification_enabled=verify,
    )

    def listen(
        on: Callable[..., Any], matcher: Any, ack: Callable[..., None], lazy: Callable[..., None]
    ) -> None:
        if hand is None:
            on(matcher)(ack=ack, lazy=[lazy])
        else:
            on(matcher)(ack=handing(ack, lazy, hand), lazy=[])

    bot = SlackBot(runtime.dispatcher, client)
    app.use(Once().middleware)
    listen(app.command, ANY_COMMAND, _ack, bot.on_command)
    listen(app.action, OUR_BUTTONS, _ack, bot.on_click)
    reasons = ReasonModals(bot)  # a review's Request changes
    listen(app.action, REASON_BUTTONS, _ack, reasons.on_click)
    listen(app.view, CALLBACK, _ack, reasons.on_submit)
    topic = TopicModal(runtime.dispatcher, client, bot.directory)  # the agenda's "Add topic"
    listen(app.action, TOPIC_ACTION, _ack, topic.open)
    listen(app.view, TOPIC_CALLBACK, topic.ack, topic.submit)
    escalation = Modals(  # an escalation's Acknowledge (ETA) and Resolve
        runtime.dispatcher, client, bot.directory, runtime.clock, settings.timezone
    )
    listen(app.action, MODAL_BUTTONS, _ack, escalation.open)
    listen(app.view, OUR_MODALS, escalation.check, escalation.submit)
    return app


def worker(runtime: Runtime) -> Callable[[Handed], None]:
    """In a worker process (bot/workers.py): a Bolt app of its own that runs the lazy
    function each handed-over request names. It does not check signatures: its requests
    come from the serving process, which did."""
    runtime.forked()
    app = build_app(runtime, verify=False)

    def handle(handed: Handed) -> None:
        answered = app.dispatch(handed.request())
        if answered.status != 200:
            log.warning("a handed-over Slack request ended with HTTP %s", answered.status)

    return handle
