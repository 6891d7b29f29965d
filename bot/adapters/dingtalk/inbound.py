"""DingTalk payloads -> the core's Inbound, and where the answer goes back.

A robot message (topic `/v1.0/im/bot/messages/get`) is a 1:1 chat when
`conversationType` is "1", else a group the robot was @-mentioned in. The text
loses the robot's own mention (DingTalk usually strips it already) and any
surrounding space; a leading `tf` is left for the dispatcher, which ignores
it. `atUsers` lists who else was mentioned by staffId but not by name, so the
typed `@names` are matched to them: by a known person's display name first,
then in order when the counts agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import Inbound, Mention, Target
from storage.people import name_key

PLATFORM = "dingtalk"
DM_TYPE = "1"
TYPED_MENTION = re.compile(r"(?:^|(?<=\s))[@＠]([^\s@＠]+)")
# staff ids -> display names of the people the bot already knows
KnownNames = Callable[[Iterable[str]], Mapping[str, str]]


@dataclass(frozen=True)
class Route:
    """Where the replies to one inbound go."""

    fallback: Target  # the OpenAPI target when there is no (working) session webhook
    is_dm: bool
    webhook: str | None = None
    webhook_expires_ms: int | None = None
    at_user: str | None = None  # the sender, @-ed on private replies in a group


def message_text(data: Mapping[str, Any]) -> str:
    kind = data.get("msgtype")
    if kind == "text":
        return str((data.get("text") or {}).get("content") or "")
    if kind == "richText":
        parts = ((data.get("content") or {}).get("richText")) or []
        return "".join(str(p["text"]) for p in parts if isinstance(p, dict) and "text" in p)
    return ""


def _mentions(
    text: str, data: Mapping[str, Any], known: KnownNames
) -> tuple[str, dict[str, Mention]]:
    bot_id = data.get("chatbotUserId")
    people = [
        str(u["staffId"])
        for u in data.get("atUsers") or []
        if u.get("staffId") and u.get("dingtalkId") != bot_id
    ]
    leading = TYPED_MENTION.match(text)
    if leading and data.get("isInAtList") and len(set(TYPED_MENTION.findall(text))) > len(people):
        text = text[leading.end() :].strip()  # the robot's own @name was left in
    typed = list(dict.fromkeys(TYPED_MENTION.findall(text)))
    names = known(people) if people else {}
    mapped: dict[str, Mention] = {}
    for staff_id in list(people):
        match = next((n for n in typed if name_key(n) == name_key(names.get(staff_id, ""))), None)
        if match:
            mapped[match] = Mention(staff_id, names[staff_id])
            typed.remove(match)
            people.remove(staff_id)
    if len(typed) == len(people):
        mapped.update({n: Mention(s, n) for n, s in zip(typed, people, strict=True)})
    return text, mapped


def from_robot_message(data: Mapping[str, Any], known: KnownNames) -> tuple[Inbound, Route] | None:
    """The command in a robot message and its reply route; None for non-text messages."""
    raw = message_text(data)
    if not raw.strip():
        return None
    is_dm = str(data.get("conversationType")) == DM_TYPE
    # People from outside the organisation (a cross-organisation group) have no
    # senderStaffId, only an encrypted senderId: an external guest, read-only, and never
    # @-mentioned (an @ needs a staff id).
    staff_id = str(data.get("senderStaffId") or "")
    user_id = staff_id or str(data.get("senderId") or "")
    conversation = str(data.get("conversationId") or "")
    text, mentions = _mentions(raw.strip(), data, known)
    inbound = Inbound(
        platform=PLATFORM,
        user_id=user_id,
        user_name=data.get("senderNick") or None,
        text=text,
        channel_id=conversation,
        is_dm=is_dm,
        mentions=mentions,
        guest=not staff_id,
    )
    fallback = (
        Target(PLATFORM, user_id=user_id) if is_dm else Target(PLATFORM, channel_id=conversation)
    )
    expires = data.get("sessionWebhookExpiredTime")
    route = Route(
        fallback=fallback,
        is_dm=is_dm,
        webhook=data.get("sessionWebhook") or None,
        webhook_expires_ms=int(expires) if expires else None,
        at_user=None if is_dm or not staff_id else staff_id,
    )
    return inbound, route


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def from_card_callback(data: Mapping[str, Any]) -> tuple[Inbound, Route] | None:
    """A card button (topic /v1.0/card/instances/callback) carrying a `command` param."""
    private = _json(data.get("content")).get("cardPrivateData") or {}
    params = private.get("params") or {}
    command = str(params.get("command") or "").strip()
    user_id = str(data.get("userId") or "")
    if not command or not user_id:
        return None
    space = str(data.get("spaceId") or "")
    in_group = bool(space) and "group" in str(data.get("spaceType") or "").lower()
    inbound = Inbound(
        platform=PLATFORM,
        user_id=user_id,
        text=command,
        channel_id=space if in_group else space or f"dm:{user_id}",
        is_dm=not in_group,
    )
    fallback = Target(PLATFORM, channel_id=space) if in_group else Target(PLATFORM, user_id=user_id)
    return inbound, Route(fallback=fallback, is_dm=not in_group, at_user=None)
