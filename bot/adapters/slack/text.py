"""Text at the Slack edge: Slack markup in, escaped mrkdwn out.

In: Slack sends what people typed with `&`, `<`, `>` encoded and with its own
markup for special mentions (`<!channel>`, `<!subteam^S1|@team>`), channels
(`<#C1|general>`) and links (`<https://x|label>`). `decode` turns all of that
into plain text (`@channel`, `#general`, `label (https://x)`), except user
mentions `<@U1|name>`, which the core's tokenizer reads as identified users.

Out: `mrkdwn` escapes `&`, `<` and `>`, so nothing the bot echoes can ping
`@channel`, `@here`, a user or a group, or become a link; `json_mrkdwn`
additionally makes the text safe inside a JSON string literal.
"""

from __future__ import annotations

import json
import re

MARKUP = re.compile(r"<([^<>]*)>")
USER_MENTION = re.compile(r"^@([A-Z0-9]+)(?:\|([^>]*))?$")
SPECIAL_NAMES = {"channel", "here", "everyone", "group"}


def _readable(inner: str) -> str:
    """One `<…>` sequence (other than a user mention) as the plain text it shows."""
    target, _, label = inner.partition("|")
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        if label:
            return label if label.startswith("@") else f"@{label}"
        return f"@{name}" if name in SPECIAL_NAMES else name
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    target = target.removeprefix("mailto:")
    if label and label != target:
        return f"{label} ({target})"
    return target


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def decode(text: str) -> str:
    """Slack's encoding of typed text -> the plain text the user meant."""

    def one(match: re.Match[str]) -> str:
        inner = match.group(1)
        if USER_MENTION.match(inner):
            return match.group(0)
        return unescape(_readable(inner))

    parts = []
    last = 0
    for match in MARKUP.finditer(text):
        parts.append(unescape(text[last : match.start()]))
        parts.append(one(match))
        last = match.end()
    parts.append(unescape(text[last:]))
    return "".join(parts)


def mrkdwn(text: str) -> str:
    """Escape user text for Slack mrkdwn (and for the `text` of any message)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_string(text: str) -> str:
    """`text` as the inside of a JSON string literal (no surrounding quotes)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def json_mrkdwn(text: str) -> str:
    return json_string(mrkdwn(text))


def mention_name(name: str) -> str:
    """A display name fit for `<@U1|name>`: no angle brackets, one line."""
    return re.sub(r"\s+", " ", name.replace("<", "‹").replace(">", "›")).strip()[:80]
