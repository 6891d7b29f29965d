"""Block Kit's limits, enforced on whatever a template produced.

50 blocks a message, 3,000 characters a section or context text, 25 elements
an actions block, 75 characters a button label, 2,000 a button value, 255 a
block or action id. Over-long lists are cut with "… and N more".
"""

from __future__ import annotations

import re
from typing import Any

from bot.adapters.slack.text import mrkdwn

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_ELEMENTS = 25
MAX_LABEL = 75
MAX_VALUE = 2000
MAX_ID = 255
REFRESH = "~"  # block_id = "<own id>~<command that re-renders the message>"
PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")

Block = dict[str, Any]


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, never ending inside an `&amp;`-style entity."""
    if len(text) <= limit:
        return text
    return PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_TEXT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, MAX_TEXT)}]}


def text_blocks(text: str) -> list[Block]:
    """Escaped mrkdwn text as sections of at most 3,000 characters, split at lines."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_TEXT and current:
            chunks.append(current)
            candidate = line
        current = candidate
    chunks.append(current or " ")
    return fit([section(chunk) for chunk in chunks], "… and {count} more")


def _fit_block(block: Block) -> Block:
    for key in ("block_id", "action_id"):
        if key in block:
            block[key] = str(block[key])[:MAX_ID]
    text = block.get("text")
    if isinstance(text, dict) and "text" in text:
        limit = MAX_LABEL if block.get("type") == "button" else MAX_TEXT
        text["text"] = cut(str(text["text"]), limit) or " "
    if "value" in block:
        block["value"] = str(block["value"])[:MAX_VALUE]
    if isinstance(block.get("elements"), list):
        limit = MAX_ELEMENTS if block.get("type") == "actions" else 10
        block["elements"] = [_fit_block(e) for e in block["elements"][:limit]]
    return block


def _split_section(block: Block) -> list[Block]:
    """A section over 3,000 characters (counted escaped, as Slack counts them) as several
    sections split between lines, so that no line is lost to a cut."""
    text = block.get("text")
    if block.get("type") != "section" or not isinstance(text, dict):
        return [block]
    body = str(text.get("text", ""))
    if len(body) <= MAX_TEXT or "\n" not in body or set(block) - {"type", "text"}:
        return [block]
    return text_blocks(body)


def fit(blocks: list[Block], more: str) -> list[Block]:
    """`blocks` within Block Kit's limits; `more` is "… and {count} more" (unescaped)."""
    split = [part for b in blocks if isinstance(b, dict) for part in _split_section(b)]
    fitted = [_fit_block(b) for b in split]
    if len(fitted) > MAX_BLOCKS:
        hidden = len(fitted) - (MAX_BLOCKS - 1)
        fitted = fitted[: MAX_BLOCKS - 1] + [context(mrkdwn(more.replace("{count}", str(hidden))))]
    return fitted


def within_limits(blocks: list[Block]) -> bool:
    """True when `fit` would change nothing: at most 50 blocks, no text over its limit."""
    if len(blocks) > MAX_BLOCKS:
        return False
    for block in blocks:
        texts = [block.get("text")] + list(block.get("elements") or [])
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            texts.append(accessory.get("text"))
        for text in texts:
            if isinstance(text, dict) and len(str(text.get("text", ""))) > MAX_TEXT:
                return False
    return True


def with_refresh(blocks: list[Block], command: str) -> list[Block]:
    """Actions blocks whose ids also carry `command` (what re-renders this message)."""
    out = []
    for block in blocks:
        if block.get("type") == "actions" and "block_id" in block:
            own = str(block["block_id"]).split(REFRESH, 1)[0]
            marked = f"{own}{REFRESH}{command}"
            block = {**block, "block_id": marked} if len(marked) <= MAX_ID else block
        out.append(block)
    return out


def refresh_of(block_id: str | None) -> str | None:
    if not block_id or REFRESH not in block_id:
        return None
    return block_id.split(REFRESH, 1)[1] or None
