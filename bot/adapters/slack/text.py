"""Text at the Slack edge: Slack markup in, escaped mrkdwn out.

In: Slack sends what people typed with `&`, `<`, `>` encoded and with its own
markup for special mentions (`<!channel>`, `<!subteam^S1|@team>`), channels
(`<#C1|general>`) and links (`<https://x|label>`). `decode` turns all of that
into plain text (`@channel`, `#general`, `label (https://x)`), except user
mentions `<@U1|name>`, which the core's tokenizer reads as identified users.

Out: `literal` is the escape for everything a person typed (a value a template
prints): `&`, `<` and `>` escaped, so nothing becomes a `<…>` link or mention;
`*`, `_`, `~` and backticks that could open or close formatting (not the `_` of
`snake_case`, Slack does not format inside a word) as look-alikes (`∗ ＿ ～ ˋ`);
`@` and a `#` before a word full-width (`＠`, `＃`), so no mention or channel is
parsed; a `>` starting a line full-width, so no quote; and no URL, host name or
control character (bot.literal). `mrkdwn` (`&`, `<`, `>` only) is for the
project's own catalogue strings, whose formatting is meant; `json_string` makes
either safe inside a JSON string literal.
"""

from __future__ import annotations

import json
import re

from bot.literal import Link, printable, unlink

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


# a formatting character that could open or close (not one inside a word)
FORMATTING = re.compile(r"(?<![^\W_])[*_~`]|[*_~`](?![^\W_])")
LOOKALIKE = {"*": "\u2217", "_": "\uff3f", "~": "\uff5e", "`": "\u02cb"}
CHANNEL = re.compile(r"(?<![^\W_])#(?=[^\W_])")
QUOTE = re.compile(r"^([ \t]*)&gt;", re.MULTILINE)


def mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` (the catalogue's text, whose own formatting stays)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: str) -> str:
    """What a person typed, as Slack mrkdwn that shows it as text (see the module doc)."""
    text = mrkdwn(unlink(printable(text)))
    text = FORMATTING.sub(lambda found: LOOKALIKE[found.group(0)], text)
    text = CHANNEL.sub("\uff03", text.replace("@", "\uff20"))
    return QUOTE.sub("\\1\uff1e", text)


def link(value: Link) -> str:
    """A project's own recorded URL as a Slack link; any other scheme stays text."""
    return f"<{mrkdwn(value.url)}>" if value.safe else literal(value.url)


def json_string(text: str) -> str:
    """`text` as the inside of a JSON string literal (no surrounding quotes)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def json_mrkdwn(text: str) -> str:
    return json_string(mrkdwn(text))


def mention_name(name: str) -> str:
    """A display name fit for `<@U1|name>`: no angle brackets, one line."""
    return re.sub(r"\s+", " ", name.replace("<", "‹").replace(">", "›")).strip()[:80]
