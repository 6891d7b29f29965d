"""Split command text into tokens: words, quoted text and @mentions.

Outside quotes, full-width ASCII forms are folded once, here (NFKC for letters, digits
and punctuation: `Ａ３` → `A3`, `＠` → `@`, `：` → `:`), and the Chinese comma,
enumeration mark and semicolon separate words like a space. Quoted text stays as typed.
Control characters (NUL, ESC, BEL, other C0/C1 controls; tab and line breaks are
spaces) are refused here, before anything could store them: PostgreSQL rejects NUL,
and a terminal would obey the rest when the text is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import CommandError
from bot.literal import control_in

QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'", "‘": "’"}
SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
SPACES = re.compile(r"[\s\u3000]+")
SEPARATORS = "，、；"  # between keyword arguments: 「标题」，负责人 @李娜、截止 周五


def fold(char: str) -> str:
    """A full-width ASCII form (U+FF01…U+FF5E) as its ASCII character."""
    code = ord(char)
    return chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else char


def _is_space(char: str) -> bool:
    return char.isspace() or char == "\u3000" or char in SEPARATORS


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False
    mention: bool = False
    user_id: str | None = None  # set when the platform identified the user (Slack <@U1>)

    @property
    def word(self) -> str:
        """The text as a keyword candidate: lower-cased, never for quoted text."""
        return "" if self.quoted or self.mention else self.text.lower()


def tokenize(text: str) -> list[Token]:
    if found := control_in(text):
        raise CommandError("parse.control_character", code=found)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i] if text[i] in SEPARATORS else fold(text[i])
        if _is_space(char):
            i += 1
            continue
        if char in QUOTES:
            closers = (QUOTES[char], chr(ord(QUOTES[char]) + 0xFEE0)) if char in "\"'" else (
                QUOTES[char],
            )
            close = min((at for c in closers if (at := text.find(c, i + 1)) >= 0), default=-1)
            if close < 0:
                raise CommandError("parse.unclosed_quote", quote=char)
            tokens.append(Token(text[i + 1 : close].strip(), quoted=True))
            i = close + 1
            continue
        slack = SLACK_MENTION.match(text, i)
        if slack:
            tokens.append(
                Token(slack.group(2) or slack.group(1), mention=True, user_id=slack.group(1))
            )
            i = slack.end()
            continue
        end = i
        while end < n and not _is_space(text[end]):
            end += 1
        word = "".join(fold(c) for c in text[i:end])
        if word.startswith("@") and len(word) > 1:
            tokens.append(Token(word[1:], mention=True))
        else:
            tokens.append(Token(word))
        i = end
    return tokens
