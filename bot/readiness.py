"""The readiness gate's checklist (`project readiness`, `project phase rollout`).

Each feature registers, with `@readiness_check`, a function that says what in its own
records still holds the switch to rollout back: quizzes not passed, open reviews, open
high-severity feedback, required announcements not yet confirmed. The gate lists every
gap it finds and refuses while there is one; the process owner may force it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.clock import Clock
from storage.models import Project


@dataclass(frozen=True)
class Gap:
    """One thing that is missing: a catalogue key and its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


Check = Callable[[Session, Clock, Project], list[Gap]]


@dataclass(frozen=True)
class Registered:
    name: str  # the checklist line's name: quizzes, reviews, feedback, announcements
    order: int
    check: Check


CHECKS: dict[str, Registered] = {}
# the modules whose import registers a check; a feature adds its own here
CHECK_MODULES: tuple[str, ...] = (
    "bot.readiness_view",
    "bot.feedback_view",
    "bot.announcements_view",
)


def readiness_check(name: str, order: int) -> Callable[[Check], Check]:
    """Register the decorated function as the checklist line `name`, shown in `order`."""

    def register(function: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"readiness check {name!r} registered twice")
        CHECKS[name] = Registered(name, order, function)
        return function

    return register


def checklist(db: Session, clock: Clock, project: Project) -> list[tuple[str, list[Gap]]]:
    """Every registered line in order with its gaps (an empty list: that line is met)."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    lines = sorted(CHECKS.values(), key=lambda line: line.order)
    return [(line.name, line.check(db, clock, project)) for line in lines]
