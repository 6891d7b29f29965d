"""What a person typed, kept as text: the platform-neutral half of every escape function.

Chat clients turn more than markup into something else: Slack links a bare
`https://…` or `example.com`, DingTalk a `scheme://`. `unlink` breaks both (a
zero-width space after a scheme's colon, a one-dot leader `․` for the dots of
a host name or IPv4 address), so the only links in a message are the ones the
project recorded itself (`Link`, from a `link <url>` field). `printable` drops
what a terminal would obey: escape sequences (CSI, OSC) and every other C0/C1
control character, keeping tabs and line breaks. Both are idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.names import CONTROL

TERMINAL_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clear screen
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"  # any other two-character escape
)
SCHEME = re.compile(r"(?<=[A-Za-z0-9+.-]):(?=//)")
HOST = re.compile(
    r"(?<![\w.-])(?:\d{1,3}(?:\.\d{1,3}){3}|(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*)",
)
DOT_LEADER = "\u2024"  # looks like `.`, is not one: no client reads a host name in it
SAFE_URL = re.compile(r"^https?://[^\s<>|\"'`\x00-\x1f\x7f]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """A URL the project recorded on purpose (a `link <url>` field): the one kind of value
    a platform renders as a link. Anything else that looks like a URL is shown as text."""

    url: str

    @property
    def safe(self) -> bool:
        """Whether it is an http(s) URL a platform may link (else it is shown as text)."""
        return bool(SAFE_URL.match(self.url))

    def __str__(self) -> str:
        return self.url


def printable(text: str) -> str:
    """`text` without terminal escape sequences or control characters (tab and line
    breaks stay)."""
    return CONTROL.sub("", TERMINAL_SEQUENCE.sub("", text))


def unlink(text: str) -> str:
    """`text` with nothing a chat client would turn into a link (see the module doc)."""
    text = SCHEME.sub(":\u200b", text)
    return HOST.sub(lambda found: found.group(0).replace(".", DOT_LEADER), text)


def control_in(text: str) -> str | None:
    """The first control character in `text` (tab and line breaks allowed), as `U+XXXX`."""
    found = CONTROL.search(text)
    return f"U+{ord(found.group(0)):04X}" if found else None
