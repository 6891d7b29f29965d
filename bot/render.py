"""Replies and notices -> text, through jinja2 templates with a fallback chain.

A message kind is looked up as platform/locale → platform → locale → default,
so a platform overrides only what it must. Every value a template prints passes
through the platform's escape function (user text can never become markup, a
link or a mention; where a platform has none, control characters are dropped),
except a `Link` (a URL the project recorded on purpose), which the platform's
`link` function renders as its one kind of link.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot import catalog
from bot.catalog import TEMPLATES_DIR
from bot.literal import Link, printable
from bot.messages import Label, Reply

log = logging.getLogger(__name__)
Escape = Callable[[str], str]
LinkFormat = Callable[[Link], str]
WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def format_date(value: date | None, locale: str) -> str:
    if value is None:
        return "-"
    weekday = WEEKDAYS[catalog.normalize_locale(locale)][value.weekday()]
    if locale == "zh-CN":
        return f"{value.month}月{value.day}日({weekday})"
    return f"{weekday} {value.isoformat()}"


def localize(value: Any, locale: str) -> Any:
    """Dates and labels as the locale reads them; any other value as it is."""
    if isinstance(value, Label):
        key = f"{value.group}.{value.key}"
        text = catalog.text(locale, key)
        return value.key if text == key else text
    if isinstance(value, tuple) and value and all(isinstance(v, Label) for v in value):
        return " | ".join(localize(v, locale) for v in value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value, locale)
    return value


class PayloadRenderer(Protocol):
    """Anything that turns a message kind into the payload a platform's sender posts."""

    def render(self, kind: str, data: Mapping[str, Any], locale: str) -> str: ...


class Renderer:
    """Renders message kinds for one platform, whose escape function it applies."""

    def __init__(
        self,
        platform: str,
        escape: Escape = printable,
        suffix: str = ".txt.j2",
        link: LinkFormat | None = None,
    ) -> None:
        self.platform = platform
        self.escape = escape
        self.link = link or (lambda value: escape(value.url))
        self.suffix = suffix
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            finalize=self._finalize,
            undefined=StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        # `mention(user_id, name)`: a platform's own mention of a user the bot knows
        # (Slack `<@U1>`, DingTalk `@staffId`); elsewhere the name, escaped
        self.env.globals["mention"] = lambda user_id, name: name

    def _finalize(self, value: Any) -> Markup:
        # Autoescaping is on only so that macro output (already escaped here) is Markup
        # and is not escaped twice; the escaping itself is the platform's, applied here.
        if value is None:
            return Markup("")
        if isinstance(value, Markup):
            return value
        if isinstance(value, Link):
            return Markup(self.link(value))
        return Markup(self.escape(str(value)))

    def _param(self, value: Any, locale: str) -> Any:
        if isinstance(value, Markup):
            return value
        if isinstance(value, Link):
            return Markup(self.link(value))
        return self.escape(str(localize(value, locale)))

    def _translate(self, locale: str) -> Callable[..., Markup]:
        def t(key: str, /, **params: Any) -> Markup:
            safe = {k: self._param(v, locale) for k, v in params.items()}
            return Markup(catalog.text(locale, key, **safe))

        return t

    def candidates(self, kind: str, locale: str) -> list[str]:
        name = kind + self.suffix
        return [
            f"{self.platform}/{locale}/{name}",
            f"{self.platform}/{name}",
            f"{locale}/{name}",
            f"default/{name}",
        ]

    def render(self, kind: str, data: Mapping[str, Any], locale: str) -> str:
        template = self.env.select_template(self.candidates(kind, locale))
        t = self._translate(locale)
        return template.render(
            **data, t=t, locale=locale, fmt_date=lambda d: format_date(d, locale)
        ).strip()

    def reply(self, reply: Reply) -> str:
        """The reply as text; a template fault is logged and answered generically."""
        try:
            return self.render(reply.template, reply.data, reply.locale)
        except Exception:
            log.exception("rendering %s failed", reply.template)
            return catalog.text(reply.locale, "error.render")


@lru_cache(maxsize=8)
def renderer_for(platform: str) -> Renderer:
    return Renderer(platform)
