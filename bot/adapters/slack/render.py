"""Replies -> Slack messages: mrkdwn text plus Block Kit blocks, from templates.

A message kind with a `message_templates/slack/<kind>.json.j2` template gets
its blocks from it (a JSON array; values are escaped for mrkdwn and for JSON);
any other kind is its text template (slack/…txt.j2, else default/…txt.j2)
cut into sections. Every value is shown literally (`text.literal`: no
formatting, link or mention a person typed); a recorded `Link` is the one link
(`text.link`); identifiers in block ids and button values go through the `id`
filter (JSON-escaped, nothing swapped, so `quiz take safety_` still runs).
Catalogue strings are mrkdwn-escaped, so `<title>` in a usage line shows as
typed. Block Kit limits are enforced afterwards (bot/adapters/slack/limits.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateNotFound
from markupsafe import Markup

from bot import catalog
from bot.adapters.slack.limits import fit, text_blocks, with_refresh, within_limits
from bot.adapters.slack.text import json_string, link, literal, mrkdwn
from bot.messages import Reply
from bot.render import Escape, Renderer

log = logging.getLogger(__name__)
TEXT_LIMIT = 3000  # the `text` of a message with blocks is only its notification
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def refreshed_by(self, command: str) -> SlackMessage:
        """The same message, its buttons remembering the command that re-renders it."""
        return SlackMessage(self.text, with_refresh(self.blocks, command))

    def payload(self) -> str:
        return json.dumps({"text": self.text, "blocks": self.blocks}, ensure_ascii=False)


class _Flavour(Renderer):
    """The core renderer with Slack escaping everywhere: values, params, catalogue text.

    `outer` is what the flavour's output is inside (JSON string literals for blocks,
    nothing for text): applied after the Slack escaping of each piece."""

    def __init__(self, outer: Escape, suffix: str) -> None:
        super().__init__(
            "slack", lambda s: outer(literal(s)), suffix, link=lambda v: outer(link(v))
        )
        self.catalogue = lambda s: outer(mrkdwn(s))
        self.env.filters["json_lines"] = lambda text: Markup(str(text).replace("\n", "\\n"))
        self.env.filters["id"] = lambda value: Markup(outer(str(value)))
        self.env.globals["mention"] = mention

    def _translate(self, locale: str) -> Callable[..., Markup]:
        def t(key: str, /, **params: Any) -> Markup:
            raw = self.catalogue(catalog.lookup(locale, key))
            safe = {name: Markup(self._param(value, locale)) for name, value in params.items()}
            return Markup(catalog.fill(raw, **safe))

        return t


def mention(user_id: str | None, name: str) -> Markup | str:
    """`<@U…>` for a Slack user id the bot itself stored; anything else is the name
    (escaped when printed), so no text a user typed can become a mention."""
    if user_id and SLACK_USER_ID.match(user_id):
        return Markup(f"<@{user_id}>")
    return name


def _cut(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SlackRenderer:
    def __init__(self) -> None:
        self.text = _Flavour(str, ".txt.j2")
        self.blocks = _Flavour(json_string, ".json.j2")

    def message(self, kind: str, data: Mapping[str, Any], locale: str) -> SlackMessage:
        try:
            text = self.text.render(kind, data, locale)
        except Exception:
            log.exception("rendering %s for Slack failed", kind)
            text = self.text.catalogue(catalog.text(locale, "error.render"))
            return SlackMessage(text, text_blocks(text))
        try:
            blocks = json.loads(self.blocks.render(kind, data, locale))
            if not isinstance(blocks, list) or not blocks:
                raise ValueError(f"{kind}.json.j2 must render a non-empty JSON array")
        except TemplateNotFound:
            blocks = text_blocks(text)
        except Exception:
            log.exception("Block Kit template %s failed; sending its text", kind)
            blocks = text_blocks(text)
        return SlackMessage(_cut(text), fit(blocks, catalog.lookup(locale, "list_text.more")))

    def reply(self, reply: Reply) -> SlackMessage:
        return self.message(reply.template, reply.data, reply.locale)


class OutboxRenderer:
    """Notices for Slack targets as the JSON payloads (text + blocks) SlackSender posts.

    The outbox's renderer for "slack" (bot.outbox.enqueue.RENDERERS); importing
    this module loads no Slack SDK.
    """

    def __init__(self) -> None:
        self._slack = SlackRenderer()

    def render(self, kind: str, data: Mapping[str, Any], locale: str) -> str:
        return self._slack.message(kind, data, locale).payload()

    def fits(self, kind: str, data: Mapping[str, Any], locale: str) -> bool:
        """Whether the kind's blocks stay within Block Kit's limits as they are, nothing cut
        (a grouped post pages its rows until they do)."""
        try:
            blocks = json.loads(self._slack.blocks.render(kind, data, locale))
        except TemplateNotFound:
            blocks = text_blocks(self._slack.text.render(kind, data, locale))
        return isinstance(blocks, list) and within_limits(blocks)
