"""Slack payloads -> neutral `Inbound` values, with people's display names.

Slash commands carry only a user id and a legacy username; mentions arrive as
`<@U1>` or `<@U1|username>`. Each user id is looked up with `users.info` once
and cached, so the core sees display names: `Inbound.user_name` is the
caller's, and every mention is rewritten to `<@U1|Display Name>` (before the
text is decoded, so a typed `&lt;@U1&gt;` stays text).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.adapters.slack.text import decode, mention_name
from bot.messages import Inbound
from bot.tokens import SLACK_MENTION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Profile:
    name: str
    locale: str | None = None


class Directory:
    """Display names by Slack user id: `users.info` once per user, then from memory."""

    def __init__(self, client: WebClient, ttl: float = 12 * 3600, size: int = 20_000) -> None:
        self.client = client
        self.ttl = ttl
        self.size = size
        self._cache: OrderedDict[str, tuple[float, Profile | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: str) -> Profile | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(user_id)
            if hit and hit[0] > now:
                return hit[1]
        profile = self._fetch(user_id)
        # a failed look-up is retried after a minute, not on every message
        expires = now + (self.ttl if profile else 60)
        with self._lock:
            self._cache[user_id] = (expires, profile)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return profile

    def _fetch(self, user_id: str) -> Profile | None:
        try:
            user = self.client.users_info(user=user_id, include_locale=True)["user"]
        except Exception as error:  # network, rate limit, user_not_found: keep going
            log.warning("users.info %s failed: %s", user_id, error)
            return None
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        return Profile(mention_name(name) or user_id, user.get("locale"))


def with_names(text: str, directory: Directory) -> str:
    """Every `<@U1>` / `<@U1|x>` in `text` as `<@U1|Display Name>`."""

    def named(match: Any) -> str:
        profile = directory.get(match.group(1))
        name = profile.name if profile else match.group(2)
        return f"<@{match.group(1)}|{name}>" if name else match.group(0)

    return SLACK_MENTION.sub(named, text)


def is_dm(channel_id: str, channel_name: str | None = None) -> bool:
    return channel_id.startswith("D") or channel_name == "directmessage"


def _inbound(
    user_id: str,
    fallback_name: str | None,
    channel_id: str,
    text: str,
    directory: Directory,
    channel_name: str | None = None,
) -> Inbound:
    profile = directory.get(user_id)
    return Inbound(
        platform="slack",
        user_id=user_id,
        user_name=profile.name if profile else fallback_name,
        text=decode(with_names(text, directory)),
        channel_id=channel_id,
        is_dm=is_dm(channel_id, channel_name),
        locale_hint=profile.locale if profile else None,
    )


def from_command(body: Mapping[str, Any], directory: Directory) -> Inbound:
    """A `/tf …` slash command."""
    return _inbound(
        body["user_id"],
        body.get("user_name"),
        body["channel_id"],
        body.get("text") or "",
        directory,
        body.get("channel_name"),
    )


def from_click(body: Mapping[str, Any], value: str, directory: Directory) -> Inbound:
    """A button click: its value is the typed command, run as the person who clicked."""
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id", ""
    )
    return _inbound(user["id"], user.get("username") or user.get("name"), channel, value, directory)
