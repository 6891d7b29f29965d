"""Option words (roles, phases, list filters, cadences…) in every locale.

The catalogue's ``option.<word>`` holds each option as a locale shows it in its
usage lines; a command accepts it in any locale's spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from bot import catalog

# Spellings accepted but not shown (older or shorter forms).
EXTRA = {"zh": "zh-cn", "zh_cn": "zh-cn", "none": "off", "取消": "off"}


@cache
def _spellings() -> dict[str, str]:
    """Every accepted spelling (lower-cased) -> the canonical option word."""
    found: dict[str, str] = dict(EXTRA)
    for locale in catalog.LOCALES:
        for key, shown in catalog.messages(locale).items():
            if key.startswith("option."):
                found[shown.lower()] = key.removeprefix("option.")
    return found


def canonical(word: str, choices: Iterable[str]) -> str | None:
    """The option among `choices` that `word` spells, in any locale; None if none."""
    allowed = set(choices)
    lowered = word.strip().lower()
    if lowered in allowed:
        return lowered
    found = _spellings().get(lowered)
    return found if found in allowed else None


def shown(locale: str, choices: Iterable[str]) -> str:
    """The choices as `locale` spells them, for an error message."""
    return " | ".join(catalog.text(locale, f"option.{c}") for c in choices)
