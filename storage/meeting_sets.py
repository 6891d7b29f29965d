"""Meetings read by set for many projects at once (the digest's and the meeting job's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from storage.meetings import AUTO_CLOSED, ENDED, NOT_HELD, Meeting

OVER = (ENDED, AUTO_CLOSED, NOT_HELD)


def meetings_on(db: Session, wanted: Sequence[tuple[int, date]]) -> dict[tuple[int, date], Meeting]:
    """The meeting of each (project id, date) in `wanted` that exists, in one query."""
    if not wanted:
        return {}
    projects = {pid for pid, _ in wanted}
    days = {day for _, day in wanted}
    query = select(Meeting).where(
        col(Meeting.project_id).in_(projects), col(Meeting.occurs_on).in_(days)
    )
    keys = set(wanted)
    rows = ((m.project_id, m.occurs_on, m) for m in db.exec(query).all())
    return {(pid, day): m for pid, day, m in rows if (pid, day) in keys}


def over_on(db: Session, wanted: Sequence[tuple[int, date]]) -> set[tuple[int, date]]:
    """Which of (project id, date) had their meeting take place (or recorded as not held)."""
    return {key for key, m in meetings_on(db, wanted).items() if m.state in OVER}
