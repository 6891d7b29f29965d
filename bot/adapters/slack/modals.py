"""Buttons that need a reason first: a click opens a modal, its submission runs the
typed command with the reason, as the person who submitted it.

A button whose action_id is `tfreason:<locale>:<id>` carries the command without its
reason in its value (`changes LA/R3`); with `<id>` `value` the modal asks for a value
instead of a reason (a KPI's `project kpi 「LA/cycle」 record`, see kpi_ask.json.j2).
The click opens a modal (`views.open` with the click's trigger_id); the modal remembers
the command and the clicked message in its private_metadata. On submission (callback_id
`tf:reason`, acked at once, which closes the modal) the command runs with the reason
quoted, its replies go to the conversation the button was in, and the clicked message is
replaced by the outcome.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from bot import catalog
from bot.adapters.slack.inbound import from_click
from bot.adapters.slack.limits import context, cut, section
from bot.adapters.slack.listeners import SlackBot

log = logging.getLogger(__name__)
CALLBACK = "tf:reason"
BLOCK = "reason"
QUOTES = (('"', '"'), ("「", "」"), ("『", "』"), ("“", "”"))
MAX_REASON = 1000


def quoted(text: str) -> str:
    """`text` in the first pair of quotes it does not contain (the tokenizer's pairs)."""
    text = " ".join(text.split())
    for opening, closing in QUOTES:
        if opening not in text and closing not in text:
            return f"{opening}{text}{closing}"
    for opening, closing in QUOTES:
        text = text.replace(opening, "").replace(closing, "")
    return f'"{text}"'


LABELS = {"value": "slack.kpi_modal"}  # the modal's texts by the button's <id>; else reasons
LABEL_KEY = {"slack.kpi_modal": "value"}


def reason_view(
    command: str, locale: str, metadata: dict[str, Any], texts: str = "slack.modal"
) -> dict[str, Any]:
    def plain(key: str, limit: int) -> dict[str, str]:
        return {"type": "plain_text", "text": cut(catalog.text(locale, key), limit)}

    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps({**metadata, "command": command, "locale": locale}),
        "title": plain(f"{texts}.title", 24),
        "submit": plain(f"{texts}.submit", 24),
        "close": plain(f"{texts}.close", 24),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"`{command}`"}},
            {
                "type": "input",
                "block_id": BLOCK,
                "label": plain(f"{texts}.{LABEL_KEY.get(texts, 'reason')}", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": BLOCK,
                    "multiline": True,
                    "max_length": MAX_REASON,
                },
            },
        ],
    }


class ReasonModals:
    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot

    def on_click(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        command = action.get("value")
        if not command or not body.get("trigger_id"):
            return
        parts = str(action.get("action_id", "")).split(":")
        locale = parts[1:2] or ["en"]
        texts = LABELS.get(parts[2] if len(parts) > 2 else "", "slack.modal")
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        metadata = {"channel": channel, "ts": container.get("message_ts")}
        view = reason_view(command, catalog.normalize_locale(locale[0]), metadata, texts)
        self.bot.client.views_open(trigger_id=body["trigger_id"], view=view)

    def on_submit(self, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            return
        values = (view.get("state") or {}).get("values") or {}
        reason = str(((values.get(BLOCK) or {}).get(BLOCK) or {}).get("value") or "").strip()
        if not metadata.get("command") or not reason or not metadata.get("channel"):
            return
        text = f"{metadata['command']} {quoted(reason)}"
        click = {"user": body.get("user") or {}, "channel": {"id": metadata["channel"]}}
        inbound = from_click(click, text, self.bot.directory)
        inbound = replace(inbound, is_dm=inbound.is_dm or str(metadata["channel"]).startswith("D"))
        replies = self.bot.dispatcher.handle(inbound)
        rendered = [self.bot.renderer.reply(r) for r in replies]
        for message in rendered:
            self.bot.client.chat_postMessage(
                channel=metadata["channel"], text=message.text, blocks=message.blocks
            )
        if metadata.get("ts") and all(r.template != "error" for r in replies):
            result = " ".join(m.text for m in rendered)
            name = self.bot.renderer.text.escape(inbound.user_name or inbound.user_id)
            done = catalog.text(replies[0].locale, "slack.clicked", result=result, name=name)
            self.bot.client.chat_update(
                channel=metadata["channel"], ts=metadata["ts"], text=result,
                blocks=[section(result), context(done)],
            )
