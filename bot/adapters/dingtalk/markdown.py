"""DingTalk markdown: escaping user text, and the message value a sender posts.

DingTalk renders a small markdown dialect (headings, emphasis, links, images,
lists, quotes and a few HTML tags such as `<font>`). Text a user typed must
stay text: `escape` swaps every character that could start markup for a
look-alike, breaks `scheme://` and host names so nothing auto-links
(bot.literal.unlink), turns `@` into the full-width `＠` so nothing can @all,
drops control characters and folds line breaks. It is idempotent, so escaping
twice (a param inside a catalogue string) changes nothing more. `link` renders
the one kind of link there is: a URL the project recorded (bot.literal.Link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from bot.literal import Link, printable, unlink

# U+2063 (invisible separator) frames a button or the typed-command hint inside
# rendered output (the payload the outbox stores); `escape` removes it from user
# text, so a user can never forge either.
MARK = "\u2063"
BUTTON_LINE = re.compile(rf"^{MARK}button{MARK}(.*?){MARK}(.*?){MARK}$", re.MULTILINE)
HINT_LINE = re.compile(rf"^{MARK}hint{MARK}(.*?){MARK}$", re.MULTILINE)
AT_LINE = re.compile(rf"^{MARK}at{MARK}(.*?){MARK}$", re.MULTILINE)
# a staff id as DingTalk issues them (letters, digits, `_`, `-`): only these are @-mentioned
STAFF_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LOOKALIKE = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "*": "∗",
        "_": "＿",
        "`": "ˋ",
        "~": "～",
        "#": "＃",
        "|": "｜",
        "@": "＠",
        "\\": "＼",
        MARK: None,
    }
)
NEWLINES = re.compile(r"\s*[\r\n]+\s*")
TAG = re.compile(r"<[^>]*>")
URL_SAFE = ":/?#@!$&'*+,;=%-._~"  # kept as they are in a link target; `(`, `)`, spaces encoded
TITLE_MAX = 40
MAX_BUTTONS = 5


def escape(text: str) -> str:
    """User text as inert DingTalk markdown (see the module docstring)."""
    return unlink(NEWLINES.sub(" ", printable(text)).translate(LOOKALIKE))


def link(value: Link) -> str:
    """A recorded http(s) URL as a markdown link (its text escaped); anything else as text."""
    if not value.safe:
        return escape(value.url)
    return f"[{escape(value.url)}]({quote(value.url, safe=URL_SAFE)})"


def button(label: str, command: str) -> str:
    """A button line for a template; `DingTalkMessage.parse` takes it out again."""
    clean = " ".join(str(command).replace(MARK, "").split())
    return f"\n{MARK}button{MARK}{str(label).replace(MARK, '')}{MARK}{clean}{MARK}\n"


def send_message_url(command: str) -> str:
    """A link that makes the DingTalk client send `command` as the user's own message."""
    return "dtmd://dingtalkclient/sendMessage?content=" + quote(command, safe="")


def plain_to_markdown(text: str) -> str:
    """A plain-text template's output as markdown: each line its own, indents as bullets."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        lines.append(f"- {stripped}" if line.startswith("  ") else stripped)
    return "\n\n".join(lines)


def title_of(text: str) -> str:
    """The notification title: the first line with text, without markup (template tags
    only: a user's `<` was escaped to a look-alike)."""
    for line in text.splitlines():
        shown = TAG.sub("", line).strip().lstrip("#>-").replace("**", "").strip()
        if shown:
            return shown if len(shown) <= TITLE_MAX else shown[: TITLE_MAX - 1] + "…"
    return "Taskforce"


def hint_line(hint: str) -> str:
    return f"\n{MARK}hint{MARK}{hint.replace(MARK, '')}{MARK}\n"


def mention(staff_id: str | None, name: str) -> str | None:
    """`@<staffId>` for a staff id the bot itself stored (DingTalk shows it as the person
    and notifies them when the post also lists it in `atUserIds`); else None."""
    return f"@{staff_id}" if staff_id and STAFF_ID.match(staff_id) else None


def at_line(staff_ids: list[str]) -> str:
    """The marker line that carries a post's `atUserIds` (valid staff ids only)."""
    valid = [s for s in dict.fromkeys(staff_ids) if STAFF_ID.match(s)]
    return f"\n{MARK}at{MARK}{','.join(valid)}{MARK}\n" if valid else ""


@dataclass(frozen=True)
class DingTalkMessage:
    """What one post shows: markdown text, a title for the notification, buttons."""

    text: str
    title: str = ""
    # (label, command): a click sends the command as if the user had typed it
    buttons: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    hint: str = ""  # said before the commands where buttons cannot work (groups)
    at: tuple[str, ...] = ()  # staff ids @-mentioned (DingTalk's atUserIds)

    @classmethod
    def parse(cls, rendered: str) -> DingTalkMessage:
        """Rendered output (or an outbox payload): marker lines become buttons and hint."""
        buttons = tuple((m.group(1), m.group(2)) for m in BUTTON_LINE.finditer(rendered))
        hint = HINT_LINE.search(rendered)
        found = (s for m in AT_LINE.finditer(rendered) for s in m.group(1).split(","))
        at = tuple(s for s in found if STAFF_ID.match(s))
        text = AT_LINE.sub("", HINT_LINE.sub("", BUTTON_LINE.sub("", rendered)))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        hint_text = hint.group(1) if hint else ""
        return cls(text, title_of(text), buttons[:MAX_BUTTONS], hint_text, at)

    def to_payload(self) -> str:
        """The string form `parse` reads back (what the outbox stores)."""
        marks = "".join(button(label, command) for label, command in self.buttons)
        hint = hint_line(self.hint) if self.hint else ""
        return self.text + marks + hint + at_line(list(self.at))

    def for_group(self) -> DingTalkMessage:
        """In a group a click cannot reach the bot: the buttons' commands as text."""
        if not self.buttons:
            return self
        commands = " · ".join(escape(command) for _, command in self.buttons)
        text = f"{self.text}\n\n> {self.hint} {commands}".rstrip()
        return DingTalkMessage(text, self.title, at=self.at)
