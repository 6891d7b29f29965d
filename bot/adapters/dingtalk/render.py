"""Replies and notices -> DingTalk messages, through the core's template chain.

Templates live in `message_templates/dingtalk/` (DingTalk markdown); a kind
without one falls back to `default/` and its plain lines are turned into
markdown paragraphs. Every printed value and every catalogue string passes
through `markdown.escape`, so neither user text nor a translation can become
markup. Templates add buttons with `{{ button(label, command) }}`; in a group
(where a click cannot reach the bot) they become a line of typed commands.

`render` is what the outbox stores (this is the outbox's renderer for
"dingtalk", see `bot.outbox.enqueue.RENDERERS`); the sender reads it back.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import TemplateNotFound
from markupsafe import Markup

from bot import catalog
from bot.adapters.dingtalk.markdown import (
    BUTTON_LINE,
    DingTalkMessage,
    at_line,
    button,
    escape,
    hint_line,
    link,
    mention,
    plain_to_markdown,
)
from bot.literal import Link
from bot.messages import Reply
from bot.render import Renderer

log = logging.getLogger(__name__)
PLATFORM = "dingtalk"
SEND_LIMIT = 20_000  # bytes of one robot post as sent (UTF-8 JSON, ensure_ascii=False)
SEND_MARGIN = 512  # robotCode, openConversationId and the JSON around them


def _mention(staff_id: str | None, name: str) -> Markup | str:
    """A staff id's `@` mention (the bot's own record); anything else is the name."""
    found = mention(staff_id, name)
    return Markup(found) if found else name


class DingTalkRenderer(Renderer):
    def __init__(self) -> None:
        super().__init__(PLATFORM, escape=escape, link=link)
        self.env.globals["button"] = lambda label, command: Markup(button(label, command))
        self.env.globals["mention"] = _mention
        self.env.globals["at_line"] = lambda items: Markup(
            at_line([i["uid"] for i in items if i.get("uid")])
        )
        self._plain = threading.local()

    def _translate(self, locale: str) -> Callable[..., Markup]:
        inner = super()._translate(locale)

        def t(key: str, /, **params: Any) -> Markup:
            # the whole translation is escaped, so a recorded link waits outside it behind
            # a placeholder no one can type (a fresh nonce) and is put back afterwards
            held, links = dict(params), {}
            for name, value in params.items():
                if isinstance(value, Link):
                    held[name] = f"\ue000{uuid.uuid4().hex}\ue001"
                    links[held[name]] = value
            text = escape(str(inner(key, **held)))
            for placeholder, value in links.items():
                text = text.replace(placeholder, link(value))
            return Markup(text)

        return t

    def candidates(self, kind: str, locale: str) -> list[str]:
        names = super().candidates(kind, locale)
        # after our own template failed: the core's plain chain only
        if getattr(self._plain, "active", False):
            return [n for n in names if not n.startswith(f"{PLATFORM}/")]
        return names

    def render(self, kind: str, data: Mapping[str, Any], locale: str) -> str:
        """The payload for one message kind: markdown plus button and hint marker lines.

        Should a DingTalk template fail (say its data changed shape), the kind's
        plain template is used instead, so a notice is never lost to markup.
        """
        try:
            template = self.env.select_template(self.candidates(kind, locale))
            text = super().render(kind, data, locale)
        except Exception:
            if not (template_name := self._own_template(kind, locale)):
                raise
            log.exception("%s failed; rendering %s from the plain template", template_name, kind)
            self._plain.active = True
            try:
                template = self.env.select_template(self.candidates(kind, locale))
                text = super().render(kind, data, locale)
            finally:
                self._plain.active = False
        if not (template.name or "").startswith(f"{PLATFORM}/"):
            text = plain_to_markdown(text)
        if BUTTON_LINE.search(text):
            text += hint_line(escape(catalog.text(locale, "dingtalk.typed_hint")))
        return text

    def fits(self, kind: str, data: Mapping[str, Any], locale: str) -> bool:
        """Whether the kind, posted to a group, stays under DingTalk's 20,000 bytes as sent."""
        from bot.adapters.dingtalk.sender import robot_message

        message = DingTalkMessage.parse(self.render(kind, data, locale)).for_group()
        msg_key, param = robot_message(message)
        body = {"msgKey": msg_key, "msgParam": json.dumps(param, ensure_ascii=False)}
        if message.at:
            body["at"] = {"atUserIds": list(message.at), "isAtAll": False}
        size = len(json.dumps(body, ensure_ascii=False).encode("utf-8"))
        return size + SEND_MARGIN <= SEND_LIMIT

    def _own_template(self, kind: str, locale: str) -> str | None:
        try:
            name = self.env.select_template(self.candidates(kind, locale)).name
        except TemplateNotFound:
            return None
        return name if name and name.startswith(f"{PLATFORM}/") else None

    def message(
        self, kind: str, data: Mapping[str, Any], locale: str, *, dm: bool
    ) -> DingTalkMessage:
        """One message kind as a DingTalk message; buttons only where a click works (1:1)."""
        try:
            message = DingTalkMessage.parse(self.render(kind, data, locale))
        except Exception:
            log.exception("rendering %s for dingtalk failed", kind)
            return DingTalkMessage(escape(catalog.text(locale, "error.render")))
        return message if dm else message.for_group()

    def for_reply(self, reply: Reply, *, dm: bool) -> DingTalkMessage:
        return self.message(reply.template, reply.data, reply.locale, dm=dm)
