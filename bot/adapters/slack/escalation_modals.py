"""Buttons that ask for more before they act: a modal, then the typed command.

An escalation's Acknowledge button (action id `tfmodal:ack:<P2/E3>`) opens a modal
with a date picker for the ETA; Resolve (`tfmodal:resolve:<P2/E3>`) one with a text
field for the resolution. Submitting the modal is answered at once: the date is
checked in memory (given, not in the past) before the ack, nothing before it touches
the database. After the ack the submission runs as the typed command
(`escalation ack P2/E3 eta 2026-12-01`) as the person who submitted it, with the
typed command's permissions; the answer goes to the conversation the button was in.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import catalog
from bot.adapters.slack.inbound import Directory, from_click
from bot.adapters.slack.render import SlackRenderer
from bot.clock import Clock
from bot.dispatch import Dispatcher

log = logging.getLogger(__name__)
VERBS = ("ack", "resolve")
MAX_RESOLUTION = 1000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def modal(verb: str, ref: str, channel: str, locale: str, today: date) -> dict[str, Any]:
    """The Block Kit modal for acknowledging (with an ETA) or resolving one escalation."""
    t = lambda key: catalog.text(locale, key)  # noqa: E731
    if verb == "ack":
        element = {"type": "datepicker", "action_id": "date", "initial_date": today.isoformat()}
        block = {"type": "input", "block_id": "eta", "label": _plain(t("esc_modal.eta_label")),
                 "element": element}
    else:
        element = {"type": "plain_text_input", "action_id": "text", "multiline": True,
                   "max_length": MAX_RESOLUTION}
        block = {"type": "input", "block_id": "resolution",
                 "label": _plain(t("esc_modal.resolution_label")), "element": element}
    return {
        "type": "modal",
        "callback_id": f"tf:{verb}",
        "private_metadata": json.dumps({"ref": ref, "channel": channel, "locale": locale}),
        "title": _plain(f"{t('esc_modal.' + verb + '_title')} {ref}"[:24]),
        "submit": _plain(t("esc_modal.submit")),
        "close": _plain(t("esc_modal.cancel")),
        "blocks": [block],
    }


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def _meta(view: dict[str, Any]) -> dict[str, str]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class Modals:
    def __init__(self, dispatcher: Dispatcher, client: WebClient, directory: Directory,
                 clock: Clock, timezone: str) -> None:
        self.dispatcher, self.client, self.directory = dispatcher, client, directory
        self.clock, self.timezone = clock, timezone
        self.renderer = SlackRenderer()

    def _locale(self, user_id: str) -> str:
        profile = self.directory.get(user_id)
        return catalog.normalize_locale(profile.locale if profile else None)

    # -- the button: open the modal (a lazy listener, after the ack) --------------------

    def open(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        verb = str(action.get("action_id", "")).split(":")[1:2]
        if not verb or verb[0] not in VERBS or not action.get("value"):
            return
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id", "")
        view = modal(verb[0], action["value"], channel, self._locale(user),
                     self.clock.today(self.timezone))
        self.client.views_open(trigger_id=body["trigger_id"], view=view)

    # -- the submission: check in memory, ack, then run the command --------------------

    def check(self, ack: Ack, view: dict[str, Any]) -> None:
        """Acks the submission; with field errors when the ETA is missing or past."""
        if view.get("callback_id") != "tf:ack":
            ack()
            return
        locale = _meta(view).get("locale", "en")
        picked = ((_values(view).get("eta") or {}).get("date") or {}).get("selected_date")
        try:
            eta = date.fromisoformat(str(picked)) if picked else None
        except ValueError:
            eta = None
        problem = None
        if eta is None:
            problem = "esc_modal.eta_missing"
        elif eta < self.clock.today(self.timezone):
            problem = "esc_modal.eta_past"
        if problem:
            ack(response_action="errors", errors={"eta": catalog.text(locale, problem)})
        else:
            ack()

    def command_of(self, view: dict[str, Any]) -> str | None:
        ref = _meta(view).get("ref")
        values = _values(view)
        if not ref:
            return None
        if view.get("callback_id") == "tf:ack":
            picked = ((values.get("eta") or {}).get("date") or {}).get("selected_date")
            return f"escalation ack {ref} eta {picked}" if picked else None
        text = ((values.get("resolution") or {}).get("text") or {}).get("value") or ""
        text = " ".join(text.replace('"', "”").split())[:MAX_RESOLUTION]
        return f'escalation resolve {ref} "{text}"' if text else None

    def submit(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        command = self.command_of(view)
        channel = _meta(view).get("channel", "")
        if command is None:
            return
        user = body.get("user") or {}
        inbound = from_click({"user": user, "channel": {"id": channel}}, command, self.directory)
        for reply in self.dispatcher.handle(inbound):
            message = self.renderer.reply(reply)
            try:
                if inbound.is_dm or reply.visibility == "channel":
                    self.client.chat_postMessage(channel=channel, text=message.text,
                                                 blocks=message.blocks)
                else:
                    self.client.chat_postEphemeral(channel=channel, user=user["id"],
                                                   text=message.text, blocks=message.blocks)
            except SlackApiError as error:
                log.warning("the answer to a modal could not be posted: %s",
                            error.response.get("error"))
