"""DingTalk refuses a robot message over 20,000 bytes (errcode 460101): a longer
message goes out as several, split between lines, each measured as sent (the JSON
body, UTF-8, `ensure_ascii=False`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.adapters.dingtalk.markdown import DingTalkMessage

MAX_BYTES = 20_000
Measure = Callable[[DingTalkMessage], int]


def as_sent(body: dict[str, Any]) -> bytes:
    """The bytes a JSON body is sent as (never `\\uXXXX` escapes: 3 bytes, not 6)."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _part(message: DingTalkMessage, lines: list[str], index: int) -> DingTalkMessage:
    title = message.title if index == 0 else f"{message.title} ({index + 1})"
    text = "\n".join(lines).strip()
    at = tuple(staff for staff in message.at if f"@{staff}" in text)  # who this part mentions
    return DingTalkMessage(text, title, at=at)


def _cut(line: str, fits: Callable[[str], bool]) -> list[str]:
    """A single line too long for one message, in pieces that fit."""
    pieces = []
    while line and not fits(line):
        low, high = 1, len(line)
        while low < high:  # the longest prefix that fits
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(line[:mid]) else (low, mid - 1)
        pieces.append(line[:low])
        line = line[low:]
    return [*pieces, line] if line else pieces


def split(
    message: DingTalkMessage, measure: Measure, limit: int = MAX_BYTES
) -> list[DingTalkMessage]:
    """`message` as one or more messages whose bodies are each at most `limit` bytes;
    the buttons and hint stay with the last one."""
    if measure(message) <= limit:
        return [message]
    parts: list[list[str]] = [[]]

    def fits(lines: list[str]) -> bool:
        return measure(_part(message, lines, len(parts))) <= limit

    for line in message.text.split("\n"):
        for piece in _cut(line, lambda text: fits([text])) if not fits([line]) else [line]:
            if parts[-1] and not fits([*parts[-1], piece]):
                parts.append([])
            parts[-1].append(piece)
    messages = [_part(message, lines, i) for i, lines in enumerate(parts)]
    last = messages[-1]
    tail = DingTalkMessage(last.text, last.title, message.buttons, message.hint, last.at)
    if measure(tail) > limit:  # no room for the buttons: they go in a message of their own
        tail = DingTalkMessage(message.hint or "…", last.title, message.buttons, message.hint)
        return [*messages, tail]
    return [*messages[:-1], tail]
