"""Command text for the adapter fuzz trials: the usage lines of both locales, filled in.

Each usage line (the `usage:` keys of message_templates/locales/*/*.yaml) is a small grammar:
words, `<placeholders>`, `[optional parts]`, `a|b` choices and `@user`. A generated
command follows one of them with every placeholder filled from a pool of plausible
and hostile values, or is a command word followed by random pieces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import bot.handlers  # noqa: F401  (registers the commands)
from bot.registry import COMMANDS, VERB_ALIASES

LOCALES = Path(__file__).resolve().parents[2] / "message_templates" / "locales"
PLACEHOLDER = re.compile(r"<[^<>]*>")
PART = re.compile(r"\[[^\[\]]*\]|「[^」]*」|\"[^\"]*\"|\S+")
PROBES = ["tfprobe", "evaled"]  # what the template-shaped values would turn into
HOSTILE = [
    "{{ 'tf' ~ 'probe' }}", "{% print 'tf' ~ 'probe' %}", "{{ 'ev' + 'aled' }}",
    "${'ev' + 'aled'}", "{0}", "{key}", "{name.__class__}", "%(key)s", "%s", "{{", "}}",
    "'; DROP TABLE project; --", "\x00", "\u202e", "\u3000", "x" * 300, "长" * 120,
    "*bold*", "_it_", "`code`", "[link](http://x.example)", "<b>x</b>", "&amp;", "#",
]
VALUES = [
    "A1", "A2", "A99", "LA", "LA/A1", "P1", "R1", "E1", "Q1", "T1", "0", "-1", "3",
    "2.5", "1e309", "nan", "fri", "下周五", "+3d", "+2wd", "12-01", "2027-01-04",
    "2026-13-45", "明天下午3点", "Marketing", "市场部", "产品部", "Asia/Shanghai",
    "Mars/Olympus", "daily", "weekly", "off", "lead", "viewer", "组长", "观察者",
    "Ma\x00rk", "A\x001", "审批\x00", "\x01\x02\x1b[31m", "\ud7ff\ue000\uffff",
]
# always tried first (hypothesis `example`s): the classes that once broke a command
KNOWN = [
    'action add "Draft\x00 the list" owner {max} due fri',
    "dept add Ma\x00rk head {max}",
    "action list dept \x00",
    "action add \"{{{{ 'tf' ~ 'probe' }}}}\" owner {max} due fri",
    "project kpi {{name.__class__}} baseline 1 target 2",
]


def _usage_lines() -> list[str]:
    lines: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            lines.extend(part.strip() for part in node.split("  |  "))

    for path in sorted(LOCALES.glob("*/*.yaml")):
        walk((yaml.safe_load(path.read_text()) or {}).get("usage"))
    return sorted(set(lines))


USAGE = _usage_lines()
ZH_OF: dict[str, str] = {}
for _zh, _en in VERB_ALIASES.items():
    ZH_OF.setdefault(_en, _zh)
VERBS = sorted(
    {" ".join(words) for words in COMMANDS}
    | {" ".join(ZH_OF.get(w, w) for w in words) for words in COMMANDS}
)


def _filled(draw: Any, line: str, mentions: list[str], value: Any) -> str:
    out: list[str] = []
    for part in PART.findall(line):
        if part.startswith("["):
            if draw(st.booleans()):
                out.append(_filled(draw, part[1:-1], mentions, value))
        elif part.startswith(("@", "＠")):
            out.append(draw(st.sampled_from(mentions)))
        elif found := PLACEHOLDER.search(part):
            out.append(part[: found.start()] + draw(value) + part[found.end() :])
        elif "|" in part:
            out.append(draw(st.sampled_from(part.split("|"))))
        else:
            out.append(part)
    return " ".join(out)


def commands(mentions: list[str], escape: Any = lambda t: t) -> st.SearchStrategy[str]:
    """Command text: a filled-in usage line, or a command word and random pieces.
    `escape` turns free text into what the platform sends (Slack's `&lt;`…)."""
    value = st.one_of(
        st.sampled_from(VALUES + HOSTILE), st.text(min_size=1, max_size=10).map(escape)
    )

    @st.composite
    def from_usage(draw: Any) -> str:
        return _filled(draw, draw(st.sampled_from(USAGE)), mentions, value)

    loose = st.builds(
        lambda verb, parts: " ".join([verb, *parts]),
        st.sampled_from(VERBS),
        st.lists(st.one_of(value, st.sampled_from(mentions)), max_size=6),
    )
    return st.one_of(from_usage(), from_usage(), loose)
