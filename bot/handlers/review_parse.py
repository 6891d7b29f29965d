"""The grammar of `review "<title>" by dept <A>,<B> | @user,@user within <N>wd
[mode all|any] [link <url>] [item <A12>]`, in English and Chinese words."""

from __future__ import annotations

import re

from bot.errors import CommandError
from bot.grammar import keyword_sections
from bot.messages import Label
from bot.tokens import Token, tokenize

KEYWORDS = {
    "by": "by", "由": "by",
    "within": "within", "限": "within", "期限": "within",
    "mode": "mode", "模式": "mode",
    "link": "link", "链接": "link",
    "item": "item", "待办": "item",
}
DEPT_WORDS = ("dept", "部门")
MODES = {"all": "all", "any": "any", "会签": "all", "或签": "any"}
WITHIN = re.compile(r"^(\d{1,3})\s*(?:wd|个?工作日)?$", re.IGNORECASE)
UNIT = re.compile(r"^(?:wd|个?工作日)$", re.IGNORECASE)
SEPARATORS = re.compile(r"[,，、;；]+")
MAX_WITHIN = 60
MAX_SLOTS = 20


def _keyword(token: Token) -> str | None:
    return KEYWORDS.get(token.word) if token.word else None


def _within(tokens: list[Token]) -> int:
    text = " ".join(t.text for t in tokens).strip()
    found = WITHIN.match(text)
    if not found or len(tokens) > 2 or (len(tokens) == 2 and not UNIT.match(tokens[1].text)):
        raise CommandError("review.bad_within", value=text, limit=MAX_WITHIN)
    days = int(found.group(1))
    if not 1 <= days <= MAX_WITHIN:
        raise CommandError("review.bad_within", value=text, limit=MAX_WITHIN)
    return days


def _people(tokens: list[Token]) -> list[Token]:
    """`@a,@b`, `@a @b`, `<@U1>,<@U2>`: one mention token per person."""
    found: list[Token] = []
    for token in tokens:
        if token.mention and token.user_id:
            found.append(token)
        elif token.mention:
            parts = [p.lstrip("@＠") for p in SEPARATORS.split(token.text) if p.strip("@＠ ")]
            found += [Token(p, mention=True) for p in parts]
        else:
            inner = [t for t in tokenize(SEPARATORS.sub(" ", token.text)) if t.text]
            if any(not t.mention for t in inner):
                raise CommandError("user.expected", value=token.text)
            found += inner
    return found


def _depts(tokens: list[Token]) -> list[str]:
    text = " ".join(t.text for t in tokens)
    return [d.strip() for d in SEPARATORS.split(text) if d.strip()]


def parse_open(tokens: list[Token]) -> dict[str, object]:
    at = next((i for i, t in enumerate(tokens) if _keyword(t) == "by"), None)
    if at is None or at == 0:
        missing = "title" if at == 0 or not tokens else "reviewers"
        raise CommandError("parse.missing", name=Label("field", missing))
    title = " ".join(t.text for t in tokens[:at])
    sections = keyword_sections(
        tokens[at + 1 :], "by", lambda t: word if (word := _keyword(t)) != "by" else None
    )
    if "within" not in sections:
        raise CommandError("parse.missing", name=Label("field", "within"))
    reviewers = sections["by"]
    values: dict[str, object] = {
        "title": title, "within": _within(sections["within"]), "mode": None, "link": None,
        "item": None,
    }
    if reviewers and reviewers[0].word in DEPT_WORDS:
        values["depts"] = _depts(reviewers[1:])
        values["people"] = []
    else:
        values["depts"] = []
        values["people"] = _people(reviewers)
    if not values["depts"] and not values["people"]:
        raise CommandError("parse.missing", name=Label("field", "reviewers"))
    if len(values["depts"]) + len(values["people"]) > MAX_SLOTS:  # type: ignore[arg-type]
        raise CommandError("review.too_many", limit=MAX_SLOTS)
    mode = sections.get("mode")
    if mode is not None:
        word = mode[0].word if len(mode) == 1 else ""
        if word not in MODES:
            raise CommandError("parse.bad_choice", value=" ".join(t.text for t in mode) or "-",
                               choices="all | any")
        values["mode"] = MODES[word]
    for name in ("link", "item"):
        given = sections.get(name)
        if given is not None:
            if len(given) != 1:
                raise CommandError("parse.missing" if not given else "parse.unexpected",
                                   name=Label("field", name),
                                   value=given[1].text if len(given) > 1 else "")
            values[name] = given[0].text
    return values
