"""The grammar of `announce "<title>" "<text>" to all|dept <A>[,<B>]|@user…
[confirm-by <date>] [required] [link <url>]`, in English and Chinese words
(`通知 「标题」 「正文」 发给 全员|部门 <A>,<B>|@某人 [确认截止 <日期>] [必读] [链接 <网址>]`)."""

from __future__ import annotations

import re

from bot.errors import CommandError
from bot.grammar import keyword_sections
from bot.messages import Label
from bot.tokens import Token

TO_WORDS = ("to", "发给", "给")
ALL_WORDS = ("all", "全员", "全部", "所有人")
DEPT_WORDS = ("dept", "部门")
KEYWORDS = {
    "confirm-by": "confirm-by", "确认截止": "confirm-by", "截止": "confirm-by",
    "required": "required", "必读": "required", "须确认": "required",
    "link": "link", "链接": "link",
}
SEPARATORS = re.compile(r"[,，、;；]+")
# the project's own link: http(s) only, and no character that could end or restyle it in
# Slack (`<url|label>`) or DingTalk (`[label](url)`) markup
LINK = re.compile(r"^https?://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+$")
MAX_LINK = 500


def _people(tokens: list[Token]) -> list[Token]:
    """`@a @b`, `@a,@b`, `<@U1>,<@U2>`: one mention token per person."""
    found: list[Token] = []
    for token in tokens:
        if not token.mention:
            raise CommandError("user.expected", value=token.text)
        if token.user_id:
            found.append(token)
            continue
        found += [Token(p.lstrip("@＠"), mention=True) for p in SEPARATORS.split(token.text)
                  if p.strip("@＠ ")]
    return found


def _recipients(tokens: list[Token]) -> dict[str, object]:
    if len(tokens) == 1 and tokens[0].word in ALL_WORDS:
        return {"everyone": True, "depts": [], "people": []}
    if tokens and tokens[0].word in DEPT_WORDS:
        text = " ".join(t.text for t in tokens[1:])
        depts = [d.strip() for d in SEPARATORS.split(text) if d.strip()]
        if not depts:
            raise CommandError("parse.missing", name=Label("field", "dept"))
        return {"everyone": False, "depts": list(dict.fromkeys(depts)), "people": []}
    if not tokens:
        raise CommandError("parse.missing", name=Label("field", "recipients"))
    if not all(t.mention for t in tokens):
        raise CommandError("announce.bad_target", value=" ".join(t.text for t in tokens))
    return {"everyone": False, "depts": [], "people": _people(tokens)}


def _link(tokens: list[Token]) -> str:
    if len(tokens) != 1:
        raise CommandError("parse.missing" if not tokens else "parse.unexpected",
                           name=Label("field", "link"),
                           value=tokens[1].text if len(tokens) > 1 else "")
    link = tokens[0].text
    if len(link) > MAX_LINK:
        raise CommandError("input.too_long", name=Label("field", "link"), limit=MAX_LINK,
                           length=len(link))
    if not LINK.match(link):
        raise CommandError("announce.bad_link", value=link)
    return link


def parse_announce(tokens: list[Token]) -> dict[str, object]:
    at = next((i for i, t in enumerate(tokens) if i >= 1 and t.word in TO_WORDS), None)
    if not tokens:
        raise CommandError("parse.missing", name=Label("field", "title"))
    if at is None:
        missing = "text" if len(tokens) < 2 else "recipients"
        raise CommandError("parse.missing", name=Label("field", missing))
    if at < 2:
        raise CommandError("parse.missing", name=Label("field", "text"))
    sections = keyword_sections(
        tokens[at + 1 :], "to", lambda t: KEYWORDS.get(t.word) if t.word else None
    )
    if sections.get("required"):
        raise CommandError("parse.unexpected", value=sections["required"][0].text)
    by = sections.get("confirm-by")
    if by is not None and not by:
        raise CommandError("parse.missing", name=Label("field", "confirm-by"))
    return {
        "title": tokens[0].text,
        "text": " ".join(t.text for t in tokens[1:at]),
        **_recipients(sections["to"]),
        "confirm_by": " ".join(t.text for t in by) if by else None,
        "required": "required" in sections,
        "link": _link(sections["link"]) if "link" in sections else None,
    }
