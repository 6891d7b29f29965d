"""What a digest section is: a function over a set of projects.

A section takes the projects being digested (`DigestTarget`s) and returns, per
project id, the template keys it fills. It reads all of them in a bounded number
of set-based queries (storage/digest_sets.py), so the Friday tick at 2,000
projects costs a few statements per section, not a few per project. `status`
and `digest now` call the same functions with one target.

The sections a digest is made of are listed in `bot/progress_view.py`
(`PROGRESS_SECTIONS`, `DIGEST_SECTIONS`); a new section is one more function
there. A section that can only be made one project at a time can still join,
wrapped in `per_project` (then it costs its queries once per project).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from storage.models import Project


@dataclass(frozen=True)
class DigestTarget:
    """One project being digested: its local today and its "since the last digest" mark."""

    project: Project
    today: date
    since: datetime | None = None

    @property
    def id(self) -> int:
        return self.project.id  # type: ignore[return-value]


Sections = dict[int, dict[str, Any]]  # project id -> template keys
Section = Callable[[Session, Clock, Sequence[DigestTarget]], Mapping[int, dict[str, Any]]]


def per_project(
    make: Callable[[Session, Clock, DigestTarget], dict[str, Any]],
) -> Section:
    """A section from a one-project function (costs its queries once per project)."""

    def section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
        return {t.id: make(db, clock, t) for t in targets}

    section.__name__ = getattr(make, "__name__", "section")
    return section


def build(
    db: Session, clock: Clock, targets: Sequence[DigestTarget], sections: Sequence[Section]
) -> Sections:
    """Each target's template keys from `sections`, merged in order."""
    found: Sections = {t.id: {} for t in targets}
    if not targets:
        return found
    for section in sections:
        for project_id, keys in section(db, clock, targets).items():
            found[project_id].update(keys)
    return found
