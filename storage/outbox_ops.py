"""What an operator reads and does about the outbox: re-queue rows, count the queue by
target, the leases held and by whom, the oldest undelivered row, failing projects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, literal, or_, update
from sqlmodel import Session, col, func, select

from storage.delivery_tables import OutboxMessage


def requeue(
    db: Session, ids: Sequence[int], failed: bool, now: datetime
) -> tuple[list[int], list[int]]:
    """Make rows due now with a fresh count of attempts: the rows `ids` (failed, or
    queued and not held by a live lease) and, with `failed`, every failed row.
    (the ids re-queued, the ids asked for that were not: unknown, sent or in flight)."""
    wanted = []
    if ids:
        wanted.append(col(OutboxMessage.id).in_(list(ids)))
    if failed:
        wanted.append(OutboxMessage.state == "failed")
    if not wanted:
        return [], []
    movable = or_(
        OutboxMessage.state == "failed",
        (OutboxMessage.state == "queued")
        & or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) <= now),
    )
    done = db.exec(
        update(OutboxMessage)
        .where(or_(*wanted), movable)
        .values(
            state="queued",
            attempts=0,
            next_attempt_at=now,
            claimed_by=None,
            claimed_until=None,
        )
        .returning(OutboxMessage.id)
    ).all()
    requeued = sorted(row[0] for row in done)
    return requeued, sorted(set(ids) - set(requeued))


def queued_by_target(db: Session) -> Sequence[tuple[str, str, int, datetime]]:
    """(platform, target, queued rows, oldest created) for every target with queued rows."""
    target = case(
        (col(OutboxMessage.channel_id).is_not(None), literal("#") + col(OutboxMessage.channel_id)),
        else_=literal("@") + func.coalesce(col(OutboxMessage.user_id), ""),
    )
    query = (
        select(OutboxMessage.platform, target, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.state == "queued")
        .group_by(OutboxMessage.platform, target)
        .order_by(func.count().desc(), OutboxMessage.platform, target)
    )
    return list(db.exec(query).all())


def leases(db: Session, now: datetime) -> Sequence[tuple[str, int, datetime]]:
    """(process, rows it holds, the latest lease end) for each live claim holder."""
    query = (
        select(OutboxMessage.claimed_by, func.count(), func.max(OutboxMessage.claimed_until))
        .where(
            OutboxMessage.state == "queued",
            col(OutboxMessage.claimed_by).is_not(None),
            col(OutboxMessage.claimed_until) > now,
        )
        .group_by(OutboxMessage.claimed_by)
        .order_by(OutboxMessage.claimed_by)
    )
    return list(db.exec(query).all())


def oldest_undelivered(db: Session) -> datetime | None:
    query = select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == "queued")
    return db.exec(query).first()


def failing_projects(db: Session, since: datetime) -> dict[int, int]:
    """Per project, its channel posts that failed for good since `since` (scheduled posts
    go to channels; a DM that failed, such as this very alert, does not count)."""
    query = (
        select(OutboxMessage.project_id, func.count())
        .where(
            OutboxMessage.state == "failed",
            col(OutboxMessage.project_id).is_not(None),
            col(OutboxMessage.channel_id).is_not(None),
            col(OutboxMessage.created_at) >= since,
        )
        .group_by(OutboxMessage.project_id)
    )
    return {pid: count for pid, count in db.exec(query).all()}
