"""The message catalogue: every user-facing string, per locale.

Strings live in ``message_templates/locales/<locale>/*.yaml``; nested keys are
joined with dots (``date: {past: …}`` is ``date.past``). A key missing in a
locale falls back to English, so a gap shows English rather than a key.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "message_templates"
LOCALES_DIR = TEMPLATES_DIR / "locales"
LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, ~10× faster, when built


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def merge(paths: Sequence[Path]) -> dict[str, str]:
    """The catalogue files' keys in one table; a key two files give different texts fails
    (the later file would silently win, and one of the two features show the other's)."""
    merged: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in paths:
        tree = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for key, value in _flatten(tree).items():
            if merged.get(key, value) != value:
                raise ValueError(f"{key} is {merged[key]!r} in {where[key]}, {value!r} in {path}")
            merged[key], where[key] = value, str(path)
    return merged


@cache
def messages(locale: str) -> dict[str, str]:
    return merge(sorted((LOCALES_DIR / locale).glob("*.yaml")))


def normalize_locale(locale: str | None) -> str:
    if not locale:
        return DEFAULT_LOCALE
    lowered = locale.replace("_", "-").lower()
    if lowered.startswith("zh"):
        return "zh-CN"
    return "en" if lowered.startswith("en") else DEFAULT_LOCALE


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
# what says nothing about the writer's language: @mentions (names) and quoted text (titles)
_NOT_LANGUAGE = re.compile(r"<@[^>]*>|[@＠]\S+|\"[^\"]*\"|“[^”]*”|「[^」]*」|『[^』]*』")


def written_in(text: str) -> str | None:
    """zh-CN when the command's own words are Chinese (CJK characters or full-width
    punctuation outside mentions and quotes); None when the text does not tell."""
    return "zh-CN" if _CJK.search(_NOT_LANGUAGE.sub(" ", text)) else None


def lookup(locale: str, key: str) -> str:
    """The raw string for `key`, or the key itself when no locale has it."""
    found = messages(normalize_locale(locale)).get(key)
    if found is None:
        found = messages(DEFAULT_LOCALE).get(key, key)
    return found


class _Formatter(string.Formatter):
    """str.format plus plurals: `{days:one|other}` prints "1 working day" for
    `{days} working {days:day|days}` when days is 1, "days" otherwise."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            try:
                return one if abs(float(str(value))) == 1 else other
            except ValueError:
                return other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def fill(template: str, /, **params: Any) -> str:
    """`template` with `params` filled in (str.format, with plurals); as it is on a fault."""
    try:
        return _FORMATTER.format(template, **params)
    except (KeyError, IndexError, ValueError):
        return template


def text(locale: str, key: str, /, **params: Any) -> str:
    """The string for `key` with `params` filled in (str.format, with plurals)."""
    return fill(lookup(locale, key), **params)
