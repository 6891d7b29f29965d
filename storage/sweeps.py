"""The queries behind the scheduled sweeps; each costs in proportion to what is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from storage.digest_sets import chunks
from storage.items import ACTIVE
from storage.models import ActionItem, ChannelBinding, Membership, Person, Project

GROUP_CHUNK = 100  # projects whose overdue items are read (and held) at once


def calendar_groups(db: Session) -> Sequence[tuple[str, str]]:
    """The distinct (timezone, calendar) pairs projects use."""
    query = select(Project.timezone, Project.calendar).distinct()
    return db.exec(query.order_by(Project.timezone, Project.calendar)).all()


def active_due_between(
    db: Session, timezone: str, calendar: str, after: date | None, until: date,
    project_ids: Sequence[int] | None = None,
) -> Sequence[tuple[ActionItem, Project]]:
    """Active items due in (after, until] of projects in one timezone/calendar group (of
    `project_ids` among them, when given).

    Uses ix_item_status_due: the range is what is newly due, not every item.
    """
    query = (
        select(ActionItem, Project)
        .join(Project, col(Project.id) == col(ActionItem.project_id))
        .where(
            col(ActionItem.status).in_(ACTIVE),
            col(ActionItem.due_date) <= until,
            Project.timezone == timezone,
            Project.calendar == calendar,
        )
    )
    if after is not None:
        query = query.where(col(ActionItem.due_date) > after)
    if project_ids is not None:
        query = query.where(col(ActionItem.project_id).in_(project_ids))
    return db.exec(query.order_by(ActionItem.project_id, ActionItem.seq)).all()


def group_chunks(db: Session, zone: str, calendar: str, size: int | None = None
                 ) -> list[list[int]]:
    """The group's project ids in chunks of `size` (GROUP_CHUNK), for the jobs that hold
    one chunk of a group's backlog at a time."""
    group = select(Project.id).where(Project.timezone == zone, Project.calendar == calendar)
    return list(chunks(db.exec(group).all(), size or GROUP_CHUNK))


def bindings_of(db: Session, project_ids: Sequence[int]) -> dict[int, list[ChannelBinding]]:
    """Each project's bound channels, in one query."""
    found: dict[int, list[ChannelBinding]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return found
    query = select(ChannelBinding).where(col(ChannelBinding.project_id).in_(set(project_ids)))
    for binding in db.exec(query.order_by(ChannelBinding.id)).all():
        found[binding.project_id].append(binding)
    return found


def people_in_roles(db: Session, project_id: int, roles: Sequence[str]) -> Sequence[Person]:
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.project_id == project_id, col(Membership.role).in_(roles))
        .order_by(Person.id)
    )
    return db.exec(query).all()


def done_since(
    db: Session, project_id: int, since: datetime | None, limit: int
) -> tuple[Sequence[ActionItem], int]:
    """Up to `limit` items done after `since` (all done items when None), newest first,
    and how many there are in all (counted by the database, not loaded)."""
    where = [ActionItem.project_id == project_id, ActionItem.status == "done"]
    if since is not None:
        where.append(col(ActionItem.done_at) > since)
    query = (
        select(ActionItem).where(*where).order_by(col(ActionItem.done_at).desc(), ActionItem.seq)
    )
    rows = db.exec(query.limit(limit)).all()
    if len(rows) < limit:
        return rows, len(rows)
    count = select(func.count()).select_from(ActionItem).where(*where)
    return rows, db.exec(count).one()


def overdue_of(db: Session, project_ids: Sequence[int], cutoff: date
               ) -> Sequence[tuple[ActionItem, Project]]:
    """Every active item of these projects due on or before `cutoff` (a group's overdue
    backlog can be tens of thousands of items: it is read a chunk of projects at a time)."""
    query = (
        select(ActionItem, Project)
        .join(Project, col(Project.id) == col(ActionItem.project_id))
        .where(
            col(ActionItem.project_id).in_(project_ids),
            col(ActionItem.status).in_(ACTIVE),
            col(ActionItem.due_date) <= cutoff,
        )
    )
    return db.exec(query.order_by(ActionItem.project_id, ActionItem.seq)).all()
