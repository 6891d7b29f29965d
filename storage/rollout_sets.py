"""The digest's pilot-and-rollout sections for many projects at once (storage.digest_sets'
way): feedback since each project's last digest, open high-severity feedback, and the
announcements still awaiting confirmations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, and_, col, or_, select

from storage.announcements import Announcement
from storage.digest_sets import chunks
from storage.feedback import OPEN_STATES, Feedback
from storage.windows import Window, first_per_project, ids

Found = dict[int, tuple[list[Feedback], int]]


def feedback_since(db: Session, sinces: Mapping[int, datetime], limit: int) -> Found:
    """Per project: its newest `limit` reports made after its `since`, and how many."""
    found: Found = {}
    for chunk in chunks(list(sinces)):
        after = or_(*(and_(Feedback.project_id == p, col(Feedback.created_at) > sinces[p])
                      for p in chunk))
        ranked = first_per_project(db, Feedback, [after], (col(Feedback.seq).desc(),), limit)
        found.update({project_id: rows for (project_id, _), rows in ranked.items()})
    return found


def open_high_feedback(db: Session, project_ids: Sequence[int], limit: int) -> Found:
    """Per project: its newest `limit` open high-severity reports, and how many."""
    found: Found = {}
    for chunk in chunks(project_ids):
        ranked = OPEN_HIGH.run(db, limit, ids=chunk)
        found.update({project_id: rows for (project_id, _), rows in ranked.items()})
    return found


OPEN_HIGH = Window(
    Feedback,
    lambda: [col(Feedback.project_id).in_(ids()), col(Feedback.state).in_(OPEN_STATES),
             Feedback.severity == "high"],
    lambda: (col(Feedback.seq).desc(),),
)


def announcements_of(db: Session, project_ids: Sequence[int]) -> dict[int, list[Announcement]]:
    """Every announcement of each project, by number."""
    found: dict[int, list[Announcement]] = {}
    for chunk in chunks(project_ids):
        query = select(Announcement).where(col(Announcement.project_id).in_(chunk))
        for row in db.exec(query.order_by(Announcement.seq)).all():
            found.setdefault(row.project_id, []).append(row)
    return found
