"""Argument grammars: a compact spec per command, matched against tokens.

Spec syntax: ``<name:kind>`` a positional value, ``word <name:kind>`` a keyword
with its value, ``[...]`` optional, ``<name:a|b|c>`` one of fixed words. Kinds
are resolved later (bot.converters); here values stay raw tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import options
from bot.dates import is_date_start
from bot.errors import CommandError
from bot.messages import Label
from bot.tokens import Token

GREEDY = ("text", "dept")  # kinds whose unquoted value runs to the next keyword
PARAM = re.compile(r"<(\w+):([\w|-]+)>")
# Chinese spellings of argument keywords; a tuple lists the keywords it may stand for
# (the one the command has is taken: 目标 is a project's goal or a KPI's target).
KEYWORD_ALIASES: dict[str, str | tuple[str, ...]] = {
    "负责人": ("owner", "head"),
    "截止": "due",
    "交付物": "deliverable",
    "部门": "dept",
    "角色": "role",
    "负责部门": "lead-dept",
    "牵头部门": "lead-dept",
    "目标": ("goal", "target"),
    "目标值": "target",
    "编号": "key",
    "项目编号": "key",
    "时区": "tz",
    "日历": "calendar",
    "语言": "locale",
    "基线": "baseline",
    "记录": "record",
    "单位": "unit",
    "主管": "head",
    "键": "key",
    "流程owner": "owner",
    # weekly meeting
    "时长": "mins",
    "分钟": "mins",
    "主讲": "by",
    "主讲人": "by",
    "提前发布": "post-agenda",
    "预计": "eta",  # escalations
    "给": "to",
    # pilot feedback
    "严重度": "severity",
    "步骤": "step",
    "强制": "force",  # project phase rollout force "<reason>"
    "在": "on",  # KPIs: 每周 在 周一, 记录 40 在 11-20
    "频率": "every",
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    keyword: str | None = None
    optional: bool = False

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.kind.split("|")) if "|" in self.kind else ()


def parse_spec(spec: str) -> tuple[Param, ...]:
    params: list[Param] = []
    for optional, body in re.findall(r"\[([^\]]+)\]|((?:[^\s<\[]+\s+)?<[^>]+>)", spec):
        text = optional or body
        match = PARAM.search(text)
        if not match:
            raise ValueError(f"bad spec fragment {text!r}")
        keyword = text[: match.start()].strip() or None
        params.append(Param(match.group(1), match.group(2), keyword, optional=bool(optional)))
    return tuple(params)


def _keyword_of(token: Token, keywords: set[str]) -> str | None:
    alias = KEYWORD_ALIASES.get(token.word, token.word)
    for word in (alias,) if isinstance(alias, str) else alias:
        if word in keywords:
            return word
    return None


def _take(param: Param, tokens: list[Token], start: int, keywords: set[str]) -> tuple[object, int]:
    """The raw value of `param` at tokens[start:], and the index after it."""
    token = tokens[start]
    if param.kind in GREEDY and not token.quoted:
        end = start
        while end < len(tokens) and (end == start or _keyword_of(tokens[end], keywords) is None):
            end += 1
        return " ".join(t.text for t in tokens[start:end]), end
    if param.kind == "date":
        end = start + _date_length(tokens, start)
        return " ".join(t.text for t in tokens[start:end]), end
    if param.kind in GREEDY:
        return token.text, start + 1
    if param.kind in ("user", "newuser", "member"):
        return token, start + 1
    if param.choices:
        chosen = options.canonical(token.word, param.choices)
        if chosen is None:
            raise CommandError("parse.bad_choice", value=token.text, choices=choice_labels(param))
        return chosen, start + 1
    return token.text, start + 1


def choice_labels(param: Param) -> tuple[Label, ...]:
    """The choices for an error message, each shown in the reader's language."""
    return tuple(Label("option", c) for c in param.choices)


MULTIWORD_DATES = (("end", "of", "the", "month"), ("end", "of", "month"),
                   ("start", "of", "next", "month"))


def _date_length(tokens: list[Token], start: int) -> int:
    """How many tokens the date at `start` spans ("next fri", "end of month")."""
    words = [t.word for t in tokens[start : start + 4]]
    for phrase in MULTIWORD_DATES:
        if tuple(words[: len(phrase)]) == phrase:
            return len(phrase)
    if words[0] in ("next", "this", "下", "下下", "本", "这") and len(words) > 1:
        return 2
    return 1


def match(params: tuple[Param, ...], tokens: list[Token]) -> dict[str, object]:
    """Raw values by parameter name; raises CommandError on any mismatch."""
    keywords = {p.keyword for p in params if p.keyword}
    positionals = [p for p in params if not p.keyword]
    values: dict[str, object] = {}
    i = 0
    for param in positionals:
        if i >= len(tokens) or _keyword_of(tokens[i], keywords):
            if param.optional:
                continue
            raise CommandError("parse.missing", name=Label("field", param.name))
        values[param.name], i = _take(param, tokens, i, keywords)
    by_keyword = {p.keyword: p for p in params if p.keyword}
    while i < len(tokens):
        keyword = _keyword_of(tokens[i], keywords)
        if keyword is None:
            raise CommandError("parse.unexpected", value=tokens[i].text)
        param = by_keyword[keyword]
        if param.name in values:
            raise CommandError("parse.repeated", value=keyword)
        if i + 1 >= len(tokens):
            raise CommandError("parse.missing", name=Label("field", param.name))
        values[param.name], i = _take(param, tokens, i + 1, keywords)
    for param in params:
        if not param.optional and param.name not in values:
            raise CommandError("parse.missing", name=Label("field", param.name))
    return values


def looks_like_date(token: Token) -> bool:
    return not token.quoted and not token.mention and is_date_start(token.text)


def keyword_sections(
    tokens: Sequence[Token], first: str, keyword: Callable[[Token], str | None]
) -> dict[str, list[Token]]:
    """`tokens` split at the words `keyword` names (`within 3wd mode all` → within, mode),
    the ones before the first such word under `first`; a keyword given twice is refused."""
    sections: dict[str, list[Token]] = {first: []}
    current = first
    for token in tokens:
        word = keyword(token)
        if word:
            if word in sections:
                raise CommandError("parse.repeated", value=token.text)
            current = word
            sections[current] = []
        else:
            sections[current].append(token)
    return sections
