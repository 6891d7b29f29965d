"""The shape of a signed Slack request body, checked before Bolt parses it.

Slack sends a slash command as form fields, an interaction (button, modal) as one
form field `payload` holding a JSON object, and Events API callbacks as a JSON
object. A body that is none of these well (not UTF-8, JSON that is not an object,
truncated or nested deeper than any Slack payload, fields of the wrong type) is
refused whole, with a reason that names what was wrong and quotes none of it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

MAX_DEPTH = 32  # Slack's deepest payloads (a modal's state, rich text) nest about 10 levels


class Malformed(ValueError):
    """The body is signed but not a request Slack sends (answered 400)."""


def checked_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body's fields, once it is known to be well formed; else `Malformed`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    if content_type.split(";", 1)[0].strip().lower() == "application/json":
        return _json_object(text, "the JSON body")
    fields = _form(text)
    if "payload" in fields:
        payload = _json_object(fields["payload"], "payload")
        _check_interaction(payload)
        return payload
    if "command" in fields:
        _require_text(fields, ("command", "user_id", "channel_id"), "a slash command")
    return fields


def _form(text: str) -> dict[str, str]:
    pairs = parse_qsl(text, keep_blank_values=True)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Malformed("a form field is repeated")
    return fields


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        raise Malformed(f"{what} is nested too deep") from None
    except ValueError:
        raise Malformed(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not a JSON object")
    if _depth(value) > MAX_DEPTH:
        raise Malformed(f"{what} is nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """How deep `value` nests (iteratively: no recursion on hostile input)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _require_text(fields: dict[str, Any], names: tuple[str, ...], what: str) -> None:
    for name in names:
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise Malformed(f"{what} needs a text `{name}`")


def _optional_text(fields: dict[str, Any], names: tuple[str, ...], what: str) -> None:
    for name in names:
        if name in fields and not isinstance(fields[name], str):
            raise Malformed(f"{what}'s `{name}` is not text")


def _optional_object(fields: dict[str, Any], names: tuple[str, ...], what: str) -> None:
    for name in names:
        if name in fields and not isinstance(fields[name], dict):
            raise Malformed(f"{what}'s `{name}` is not an object")


def _check_interaction(payload: dict[str, Any]) -> None:
    """An interaction payload: the fields the bot reads have the types Slack gives them."""
    _require_text(payload, ("type",), "payload")
    _optional_text(payload, ("trigger_id", "response_url"), "payload")
    _optional_object(payload, ("user", "channel", "container", "message", "view"), "payload")
    if "user" in payload:
        _require_text(payload["user"], ("id",), "payload's user")
    if payload["type"] == "block_actions":
        _check_actions(payload.get("actions"))
    if payload["type"] in ("view_submission", "view_closed") and "view" not in payload:
        raise Malformed("a modal's payload has no `view`")


def _check_actions(actions: Any) -> None:
    if not isinstance(actions, list) or not actions:
        raise Malformed("`actions` is not a list of actions")
    for action in actions:
        if not isinstance(action, dict):
            raise Malformed("an action is not an object")
        _require_text(action, ("action_id",), "an action")
        _optional_text(action, ("block_id", "value", "type"), "an action")
