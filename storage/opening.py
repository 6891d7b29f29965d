"""A command's first read, in one statement: the channel's project, the caller, the
caller's membership there, whether a meeting of the project runs and its meeting slot,
and the working-day calendar's version.

Each of these used to be its own statement, and on PostgreSQL each statement is a round
trip. The answers go to the session's memos (`projects.by_channel`,
`people.by_platform_id`, `projects.membership`, `meetings.running`, `meetings.slot`,
`calendar.version`), where the command's own later asks find them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, exists, literal
from sqlmodel import Session, col, func, select

from storage import calendar, meetings, people, projects
from storage.calendar import CalendarOverride
from storage.meetings import RUNNING, Meeting, MeetingSlot
from storage.models import ChannelBinding, Membership, Person, Project


@cache  # built once, its values bound at each run (storage/prepared.py)
def _opening() -> Any:
    anchor = select(literal(1).label("one")).subquery()
    count = select(func.count(CalendarOverride.id)).scalar_subquery()
    runs = exists().where(col(Meeting.project_id) == col(Project.id), Meeting.state == RUNNING)
    revisions = select(func.coalesce(func.sum(CalendarOverride.revision), 0)).scalar_subquery()
    return (
        select(Project, Person, Membership, MeetingSlot, count, revisions, runs)
        .select_from(anchor)
        .outerjoin(ChannelBinding, and_(
            ChannelBinding.platform == bindparam("platform"),
            ChannelBinding.channel_id == bindparam("channel_id")))
        .outerjoin(Project, col(Project.id) == col(ChannelBinding.project_id))
        .outerjoin(MeetingSlot, col(MeetingSlot.project_id) == col(Project.id))
        .outerjoin(Person, and_(
            Person.platform == bindparam("platform"), Person.user_id == bindparam("user_id")))
        .outerjoin(Membership, and_(
            col(Membership.project_id) == col(Project.id),
            col(Membership.person_id) == col(Person.id)))
    )


def read_ahead(db: Session, platform: str, user_id: str, channel_id: str | None) -> None:
    """Read the six at once into the session's memos; `channel_id` None in a DM (no
    channel project)."""
    values = {"platform": platform, "user_id": user_id, "channel_id": channel_id}
    project, person, membership, slot, count, revisions, runs = db.exec(
        _opening(), params=values).one()
    calendar.remember_version(db, count, revisions)
    if channel_id is not None:
        projects.remember_channel(db, platform, channel_id, project)
    if project is not None:
        meetings.remember(db, project.id, bool(runs), slot)
    if person is not None:
        people.remember(db, person)
        if project is not None:
            projects.remember_membership(db, project.id, person.id, membership)
