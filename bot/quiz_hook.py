"""While a quiz attempt is open, an answer-shaped text in the taker's DM is its answer.

`A`, `a c`, `AC`, `A,C`, `对`, `错`, `true`, `false` become `quiz answer <key> <n> …`
for the person's newest open attempt; any other text stays a command. The dispatcher
asks this before looking the command up (in DMs only).
"""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.messages import Inbound
from bot.quiz_attempts import order_of
from bot.tokens import Token
from storage import people, quizzes

ANSWER = re.compile(
    r"^(?:[A-Ha-h](?:[\s,，、]*[A-Ha-h]){0,7}|对|错|正确|错误|true|false|True|False|TRUE|FALSE)$"
)


def as_answer(db: Session, inbound: Inbound, tokens: list[Token]) -> list[Token] | None:
    """The tokens of the `quiz answer` command `tokens` stand for, or None."""
    text = " ".join(t.text for t in tokens)
    if not tokens or any(t.quoted or t.mention for t in tokens) or not ANSWER.match(text):
        return None
    person = people.by_platform_id(db, inbound.platform, inbound.user_id)
    if person is None:
        return None
    for attempt, bank in quizzes.open_attempts_of(db, person.id):
        if attempt.position < len(order_of(attempt)):
            words = ["quiz", "answer", bank.key, str(attempt.position + 1)]
            return [Token(w) for w in words] + [Token(text)]
    return None
