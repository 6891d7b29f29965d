"""Neutral values that cross the adapter boundary: Inbound in; Reply and Notice out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.types import Platform, Visibility


@dataclass(frozen=True)
class Mention:
    """A user the platform itself identified (Slack `<@U1>`, DingTalk atUsers)."""

    user_id: str
    display_name: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One command from one user, as every adapter hands it to the core."""

    platform: Platform
    user_id: str
    text: str
    channel_id: str
    is_dm: bool = False
    user_name: str | None = None
    # `@token` as typed (without the @) -> the platform's identification of it
    mentions: Mapping[str, Mention] = field(default_factory=dict)
    locale_hint: str | None = None
    # someone from outside the organisation (a DingTalk sender without a staff id):
    # may read, never write
    guest: bool = False


@dataclass(frozen=True)
class Target:
    """Where a message goes: a channel or a person (DM) on one platform."""

    platform: Platform
    channel_id: str | None = None
    user_id: str | None = None

    def __str__(self) -> str:
        return f"#{self.channel_id}" if self.channel_id else f"@{self.user_id}"


@dataclass(frozen=True)
class Reply:
    """A message kind (template name) and its data; rendered by the adapter."""

    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    visibility: Visibility = "private"
    locale: str = "en"


@dataclass(frozen=True)
class Notice:
    """A message to someone other than the caller, delivered through the outbox."""

    target: Target
    template: str
    data: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "en"
    dedupe_key: str | None = None


@dataclass(frozen=True)
class Label:
    """A word from a fixed set (a role, a status, a phase), shown in the reader's language.

    The catalogue holds it as `<group>.<key>` (e.g. `role.lead`).
    """

    group: str
    key: str

    def __str__(self) -> str:
        return self.key
