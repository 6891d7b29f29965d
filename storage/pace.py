"""Delivery pacing shared through the database, and claims that respect it.

`OutboxPace` says when a target of a platform (`#C1` a channel, `@U1` a DM) may
be sent to next; target `*` pauses the whole platform (a workspace-wide 429).
A claim takes, per target, only its oldest queued row (so each channel keeps
its order) and only where the target and its platform may send now; it moves
each claimed target's `next_allowed_at` on by the platform's interval in the
same short transaction, so replicas keep one platform limit between them.
A claim under a workspace-wide pace locks that platform's `*` row before it takes
its rows, so the claims of two replicas take turns: each sees the hold the other
committed (else both may read "ready" at once and send twice the workspace's rate).
PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; the conditional UPDATE keeps
two processes from holding one row on SQLite as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, and_, case, literal, or_, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, func, select

from storage.delivery_tables import OutboxMessage

WORKSPACE = "*"  # the pace row of a whole platform
_LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)
BANK = 10  # workspace messages a late claim may catch up: a short burst, as Slack allows


class OutboxPace(SQLModel, table=True):
    __tablename__ = "outbox_pace"
    platform: str = Field(max_length=16, primary_key=True)
    target: str = Field(max_length=130, primary_key=True)  # "#<channel>", "@<user>" or "*"
    next_allowed_at: datetime


def target_key(row: OutboxMessage) -> str:
    return f"#{row.channel_id}" if row.channel_id else f"@{row.user_id}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_TARGET = case(
    (col(OutboxMessage.channel_id).is_not(None), literal("#") + col(OutboxMessage.channel_id)),
    else_=literal("@") + func.coalesce(col(OutboxMessage.user_id), ""),
)


def _heads(platforms: Sequence[str]):  # noqa: ANN202
    """The oldest queued row of each target: only it may go next (the channel's order)."""
    return (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.state == "queued", col(OutboxMessage.platform).in_(platforms))
        .group_by(OutboxMessage.platform, OutboxMessage.channel_id, OutboxMessage.user_id)
    )


def _joined(platforms: Sequence[str]):  # noqa: ANN202
    pace, pause = aliased(OutboxPace), aliased(OutboxPace)
    query = (
        select(OutboxMessage.id, OutboxMessage.next_attempt_at, pace.next_allowed_at)
        .add_columns(pause.next_allowed_at, OutboxMessage.platform)
        .outerjoin(pace, and_(pace.platform == OutboxMessage.platform, pace.target == _TARGET))
        .outerjoin(
            pause, and_(pause.platform == OutboxMessage.platform, pause.target == WORKSPACE)
        )
        .where(col(OutboxMessage.id).in_(_heads(platforms)))
    )
    return query, pace, pause


def _unclaimed(now: datetime):  # noqa: ANN202
    return or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) <= now)


def _lock_workspaces(
    db: Session, workspace: Mapping[str, float]
) -> dict[str, datetime | None]:
    """Lock each workspace-paced platform's `*` row until commit (the upsert, which never
    moves a pace back, makes it if need be) and read its pause: what another replica's
    claim committed meanwhile counts. Taken after the candidates were found, so the
    replicas' claims take turns only for this short end."""
    platforms = [p for p, every in workspace.items() if every > 0]
    if not platforms:
        return {}
    hold(db, [(p, WORKSPACE, _LONG_AGO) for p in platforms])
    rows = db.exec(
        select(OutboxPace.platform, OutboxPace.next_allowed_at).where(
            col(OutboxPace.platform).in_(platforms), OutboxPace.target == WORKSPACE
        )
    ).all()
    return dict(rows)


def _later(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and _aware(moment) > now


def _schedule(paused: datetime | None, now: datetime, every: float) -> datetime:
    """Where a claim's workspace hold starts: at the previous hold's end, so a claim made
    late (a poll, a turn behind another replica) does not lose the workspace's rate —
    but no earlier than `BANK` messages ago (the most it may catch up at once)."""
    floor = now - timedelta(seconds=every * BANK)
    return floor if paused is None else max(_aware(paused), floor)


def claim_ready(
    db: Session,
    worker: str,
    intervals: Mapping[str, float],
    now: datetime,
    lease: timedelta,
    limit: int,
    workspace: Mapping[str, float] | None = None,
) -> list[OutboxMessage]:
    """Up to `limit` rows, one per target, that may be sent now; leased to `worker`.

    `intervals`: per platform, the seconds between two sends to one target (0: unpaced);
    `workspace`: per platform, the seconds between two sends platform-wide (a claim of
    k rows holds the platform for k of them, so replicas share the workspace's rate).
    """
    platforms = list(intervals)
    if not platforms:
        return []
    query, pace, pause = _joined(platforms)
    query = (
        query.where(
            col(OutboxMessage.next_attempt_at) <= now,
            _unclaimed(now),
            or_(col(pace.next_allowed_at).is_(None), col(pace.next_allowed_at) <= now),
            or_(col(pause.next_allowed_at).is_(None), col(pause.next_allowed_at) <= now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=OutboxMessage, skip_locked=True)
    found = db.exec(query).all()
    if not found:
        return []
    paused = _lock_workspaces(db, workspace or {})
    ids = [row[0] for row in found if not _later(paused.get(row[4]), now)]
    if not ids:
        return []
    taken = db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), OutboxMessage.state == "queued", _unclaimed(now))
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(OutboxMessage.id)
    ).all()
    rows = db.exec(
        select(OutboxMessage).where(col(OutboxMessage.id).in_([r[0] for r in taken]))
    ).all()
    rows = sorted(rows, key=lambda r: (r.next_attempt_at, r.id))
    holds = [
        (r.platform, target_key(r), now + timedelta(seconds=intervals[r.platform]))
        for r in rows
        if intervals.get(r.platform, 0) > 0
    ]
    for platform, every in (workspace or {}).items():
        mine = [r for r in rows if r.platform == platform]
        if every > 0 and mine:
            start = _schedule(paused.get(platform), now, every)
            holds.append((platform, WORKSPACE, start + timedelta(seconds=every * len(mine))))
    hold(db, holds)
    return rows


def extend(db: Session, platform: str, target: str, until: datetime) -> None:
    """Move a target's pace (its row was made when the row was claimed) on to `until`."""
    db.exec(
        update(OutboxPace)
        .where(
            OutboxPace.platform == platform,
            OutboxPace.target == target,
            col(OutboxPace.next_allowed_at) < until,
        )
        .values(next_allowed_at=until)
    )


def release(db: Session, row_id: int, worker: str) -> None:
    """Give a claimed row back untried (its platform was paused meanwhile)."""
    db.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None)
    )


def next_ready(db: Session, platforms: Sequence[str], now: datetime) -> datetime | None:
    """When the earliest target not claimed elsewhere may send its next row (None: none);
    one aggregate row, however many targets wait (the loop asks after every empty claim)."""
    if not platforms:
        return None
    query, pace, pause = _joined(platforms)
    due = col(OutboxMessage.next_attempt_at)
    times = (due, *(func.coalesce(t.next_allowed_at, due) for t in (pace, pause)))
    # the latest of the three: GREATEST on PostgreSQL, the scalar max() on SQLite
    postgres = db.get_bind().dialect.name == "postgresql"
    latest = func.greatest(*times) if postgres else func.max(*times)
    found = db.exec(
        query.where(_unclaimed(now)).with_only_columns(type_coerce(func.min(latest), DateTime))
    ).one()[0]
    return None if found is None else _aware(found)


def hold(db: Session, holds: Sequence[tuple[str, str, datetime]]) -> None:
    """Move (platform, target) on to `until` (never back): one upsert for all of them."""
    if not holds:
        return
    latest: dict[tuple[str, str], datetime] = {}
    for platform, target, until in holds:
        key = (platform, target)
        latest[key] = max(until, latest.get(key, until))
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxPace).values(
        [{"platform": p, "target": t, "next_allowed_at": u} for (p, t), u in latest.items()]
    )
    excluded = statement.excluded.next_allowed_at
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "target"],
        set_={
            "next_allowed_at": case(
                (excluded > OutboxPace.next_allowed_at, excluded),
                else_=OutboxPace.next_allowed_at,
            )
        },
    )
    db.exec(statement)
