"""The agenda's "Add topic" button: a modal (topic, minutes, presenter) whose submission
runs `agenda add "<topic>" mins <n> by <@U…>` as the person who submitted it, exactly
like the typed command (same permissions, same replies).

The button carries the agenda's locale as its value and the modal carries the
channel in `private_metadata`, so neither step needs the database before its ack.
The minutes are checked in memory before the ack (Slack shows the error in the
modal); everything else is the command's own checking.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.adapters.slack.inbound import Directory, from_click
from bot.adapters.slack.render import SlackRenderer
from bot.catalog import text as catalog_text
from bot.dispatch import Dispatcher

log = logging.getLogger(__name__)
ACTION = "tfmodal:agenda_add"
CALLBACK = "tf_agenda_add"
MAX_TOPIC, MIN_MINUTES, MAX_MINUTES = 200, 1, 240
QUOTES = (('"', '"'), ("「", "」"), ("“", "”"), ("『", "』"))


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def topic_view(locale: str, channel: str) -> dict[str, Any]:
    def t(key: str) -> str:
        return catalog_text(locale, f"meeting_text.{key}")

    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps({"channel": channel, "locale": locale}),
        "title": _plain(t("modal_title"), 24),
        "submit": _plain(t("modal_submit"), 24),
        "close": _plain(t("modal_cancel"), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": "topic",
                "label": _plain(t("modal_topic"), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": MAX_TOPIC,
                },
            },
            {
                "type": "input",
                "block_id": "minutes",
                "optional": True,
                "label": _plain(t("modal_minutes"), 2000),
                "element": {
                    "type": "number_input",
                    "action_id": "value",
                    "is_decimal_allowed": False,
                    "min_value": str(MIN_MINUTES),
                    "max_value": str(MAX_MINUTES),
                    "initial_value": "10",
                },
            },
            {
                "type": "input",
                "block_id": "presenter",
                "optional": True,
                "label": _plain(t("modal_presenter"), 2000),
                "element": {"type": "users_select", "action_id": "value"},
            },
        ],
    }


def _values(view: Mapping[str, Any]) -> dict[str, Any]:
    state = (view.get("state") or {}).get("values") or {}
    return {block: (fields.get("value") or {}) for block, fields in state.items()}


def _metadata(view: Mapping[str, Any]) -> dict[str, str]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _minutes(raw: object) -> int | None:
    """Whole minutes within range, None when left empty; ValueError otherwise."""
    if raw in (None, ""):
        return None
    value = int(str(raw))
    if not MIN_MINUTES <= value <= MAX_MINUTES:
        raise ValueError(raw)
    return value


def quoted(text: str) -> str:
    """`text` in quotes that the tokenizer reads back as one value."""
    clean = " ".join(text.split())
    for opening, closing in QUOTES:
        if opening not in clean and closing not in clean:
            return f"{opening}{clean}{closing}"
    return '"' + clean.replace('"', "'") + '"'


def command_of(values: Mapping[str, Any]) -> str:
    topic = str((values.get("topic") or {}).get("value") or "")
    line = f"agenda add {quoted(topic)}"
    minutes = _minutes((values.get("minutes") or {}).get("value"))
    if minutes is not None:
        line += f" mins {minutes}"
    presenter = (values.get("presenter") or {}).get("selected_user")
    if presenter:
        line += f" by <@{presenter}>"
    return line


class TopicModal:
    def __init__(self, dispatcher: Dispatcher, client: WebClient, directory: Directory) -> None:
        self.dispatcher = dispatcher
        self.client = client
        self.directory = directory
        self.renderer = SlackRenderer()

    def open(self, body: dict[str, Any]) -> None:
        """The button was clicked (lazy, after the ack): open the modal on its trigger."""
        action = (body.get("actions") or [{}])[0]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id", ""
        )
        locale = str(action.get("value") or "en")
        self.client.views_open(trigger_id=body["trigger_id"], view=topic_view(locale, channel))

    def ack(self, ack: Ack, body: dict[str, Any]) -> None:
        """In memory only: a bad number of minutes is shown in the modal, nothing runs."""
        view = body.get("view") or {}
        try:
            _minutes((_values(view).get("minutes") or {}).get("value"))
        except ValueError:
            locale = _metadata(view).get("locale", "en")
            error = catalog_text(locale, "meeting_text.modal_bad_minutes")
            ack(response_action="errors", errors={"minutes": error})
            return
        ack()

    def submit(self, body: dict[str, Any]) -> None:
        """The accepted submission (lazy): `agenda add …` as the submitter, in the channel."""
        view = body.get("view") or {}
        channel = _metadata(view).get("channel", "")
        line = command_of(_values(view))
        inbound = from_click({**body, "channel": {"id": channel}}, line, self.directory)
        for reply in self.dispatcher.handle(inbound):
            message = self.renderer.reply(reply)
            if reply.visibility == "channel":
                self.client.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks
                )
            else:
                self.client.chat_postEphemeral(
                    channel=channel, user=inbound.user_id, text=message.text, blocks=message.blocks
                )
