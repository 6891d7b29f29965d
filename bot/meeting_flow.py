"""What happens to a meeting whoever drives it (a command or the job): closing it with
its minutes, recording it as not held, and its posts to the project's channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col

from bot.clock import Clock
from bot.meeting_view import minutes_data
from bot.messages import Notice
from bot.notices import to_channels
from storage import meetings as store
from storage import projects
from storage.meetings import NOT_HELD, SCHEDULED, Meeting
from storage.models import Project


def channel_posts(
    db: Session,
    project: Project,
    template: str,
    data: dict[str, Any],
    key: str | None,
    skip: tuple[str, str] | None = None,
) -> list[Notice]:
    """One post per channel of the project, but the one in `skip` (where a reply goes)."""
    channels = [
        b for b in projects.bindings(db, project.id) if (b.platform, b.channel_id) != skip
    ]
    return to_channels(channels, template, data, project.locale, key)


def close(
    db: Session, clock: Clock, project: Project, meeting: Meeting, state: str, now: datetime
) -> dict[str, Any]:
    """End a running meeting (`ended` or `auto-closed`): its minutes; open topics carry over."""
    meeting.state = state
    meeting.ended_at = now
    store.save(db, meeting)
    data = minutes_data(db, clock, project, meeting)
    store.carry_over(db, project.id, meeting.id)
    return data


def not_held(db: Session, meeting: Meeting) -> None:
    """Nobody started it: recorded as not held; its topics carry over."""
    meeting.state = NOT_HELD
    store.save(db, meeting)
    store.carry_over(db, meeting.project_id, meeting.id)


def drop_unstarted(db: Session, project_id: int) -> None:
    """Occurrences made for a slot that changed (or ended) and never started."""
    db.exec(
        delete(Meeting).where(
            col(Meeting.project_id) == project_id, col(Meeting.state) == SCHEDULED
        )
    )
