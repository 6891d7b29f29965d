"""Split command text into tokens: words, quoted text and @mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import CommandError

QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'", "‘": "’"}
SLACK_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
SPACES = re.compile(r"[\s\u3000]+")


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
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace() or char == "\u3000":
            i += 1
            continue
        if char in QUOTES:
            close = text.find(QUOTES[char], i + 1)
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
        while end < n and not (text[end].isspace() or text[end] == "\u3000"):
            end += 1
        word = text[i:end]
        if word.startswith(("@", "＠")) and len(word) > 1:
            tokens.append(Token(word[1:], mention=True))
        else:
            tokens.append(Token(word))
        i = end
    return tokens
