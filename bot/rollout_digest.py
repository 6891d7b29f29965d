"""The digest's feedback and announcement sections, for every due project at once
(bot/digest_sections.py): a few set-based queries, then rows only for what is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from bot.announcements_view import announcement_row
from bot.clock import Clock
from bot.digest_sections import DigestTarget, Sections
from bot.feedback_view import SECTION_LIMIT, rows
from storage import announcements, rollout_sets


def feedback_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """New reports since each project's last digest, and its open high-severity ones."""
    sinces = {t.id: t.since for t in targets if t.since is not None}
    new = rollout_sets.feedback_since(db, sinces, SECTION_LIMIT)
    high = rollout_sets.open_high_feedback(db, [t.id for t in targets], SECTION_LIMIT)
    out: Sections = {}
    for target in targets:
        fresh, n_new = new.get(target.id, ([], 0))
        urgent, n_high = high.get(target.id, ([], 0))
        both = rows(db, target.project, [*fresh, *urgent])  # no query when both are empty
        out[target.id] = {
            "feedback_new": both[: len(fresh)],
            "n_feedback_new": n_new,
            "feedback_high": both[len(fresh) :],
            "n_feedback_high": n_high,
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
