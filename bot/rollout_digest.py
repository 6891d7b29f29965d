"""The digest's feedback and announcement sections, for every due project at once
(bot/digest_sections.py): a few set-based queries, then rows only for what is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from bot.announcements_view import announcement_row
from bot.clock import Clock
from bot.digest_sections import DigestTarget, Sections
from bot.feedback_view import SECTION_LIMIT, rows_of_projects
from storage import announcements, rollout_sets


def feedback_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """New reports since each project's last digest, and its open high-severity ones."""
    sinces = {t.id: t.since for t in targets if t.since is not None}
    new = rollout_sets.feedback_since(db, sinces, SECTION_LIMIT)
    high = rollout_sets.open_high_feedback(db, [t.id for t in targets], SECTION_LIMIT)
    fresh = {t.id: new.get(t.id, ([], 0)) for t in targets}
    urgent = {t.id: high.get(t.id, ([], 0)) for t in targets}
    lines = rows_of_projects(  # one query per lookup for all, none when nothing is shown
        db, [(t.project, [*fresh[t.id][0], *urgent[t.id][0]]) for t in targets])
    out: Sections = {}
    for target, both in zip(targets, lines, strict=True):
        shown_new = len(fresh[target.id][0])
        out[target.id] = {
            "feedback_new": both[:shown_new],
            "n_feedback_new": fresh[target.id][1],
            "feedback_high": both[shown_new:],
            "n_feedback_high": urgent[target.id][1],
        }
    return out


def announcement_section(
    db: Session, clock: Clock, targets: Sequence[DigestTarget]
) -> Sections:
    """Each project's announcements not yet confirmed by everyone, with their counts."""
    found = rollout_sets.announcements_of(db, [t.id for t in targets])
    counts = announcements.counts(db, [a.id for rows_ in found.values() for a in rows_])
    out: Sections = {}
    for target in targets:
        shown: list[dict[str, Any]] = []
        for a in found.get(target.id, []):
            done, total = counts.get(a.id, (0, 0))
            if done < total:
                shown.append(announcement_row(target.project, a, done, total))
        out[target.id] = {"announcements": shown}
    return out
