"""The outbox: idempotent insert, claiming with a lease, and recording outcomes.

Claims are `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then a conditional
UPDATE that only takes rows still unclaimed (or whose lease ran out), so two
processes never hold one row, on SQLite either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from storage.delivery_tables import OutboxMessage

ERROR_LIMIT = 1000
CHUNK = 500  # rows per INSERT: 13 columns each stays far below any bound-parameter limit


def insert(db: Session, rows: Sequence[dict], chunk: int = CHUNK) -> int:
    """Insert rows (column dicts, each with the same columns) whose dedupe key is new; how
    many were new.

    One statement built once per dialect, run with `chunk` rows at a time (SQLAlchemy
    sends them as multi-row VALUES), so a morning that queues 100,000 messages does not
    become one statement with a million parameters.
    """
    statement = _insert(db.get_bind().dialect.name)
    connection = db.connection()  # Core: the ORM's bulk insert splits rows by their NULLs
    new = 0
    for start in range(0, len(rows), chunk):
        # rowcount is -1 on psycopg: the ids returned count the new rows
        new += len(connection.execute(statement, list(rows[start : start + chunk])).all())
    return new


@cache
def _insert(dialect_name: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return statement.returning(OutboxMessage.id)


def _claimable(now: datetime, platforms: Sequence[str]) -> list:
    return [
        OutboxMessage.state == "queued",
        col(OutboxMessage.next_attempt_at) <= now,
        col(OutboxMessage.platform).in_(platforms),
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) <= now),
    ]


def claim(
    db: Session, worker: str, platforms: Sequence[str], now: datetime, lease: timedelta, limit: int
) -> list[OutboxMessage]:
    """Up to `limit` due rows, now leased to `worker` until now + lease, oldest first."""
    if not platforms:
        return []
    query = (
        select(OutboxMessage.id)
        .where(*_claimable(now, platforms))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.exec(query).all())
    if not ids:
        return []
    taken = db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), *_claimable(now, platforms))
        .values(claimed_by=worker, claimed_until=now + lease)
        .returning(OutboxMessage.id)
    ).all()
    taken_ids = [row[0] for row in taken]
    rows = db.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(taken_ids))).all()
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))


def _mine(row_id: int, worker: str):  # noqa: ANN202
    return and_(OutboxMessage.id == row_id, OutboxMessage.claimed_by == worker)


def _sent(now: datetime) -> dict[str, Any]:
    """The columns of a row that was sent."""
    return {"state": "sent", "sent_at": now, "attempts": OutboxMessage.attempts + 1,
            "claimed_until": None, "last_error": None}


def mark_sent(db: Session, row_id: int, worker: str, now: datetime) -> bool:
    result = db.exec(
        update(OutboxMessage)
        .where(_mine(row_id, worker))
        .values(**_sent(now))
        .returning(OutboxMessage.id)
    )
    return result.first() is not None


def mark_many_sent(db: Session, row_ids: Sequence[int], worker: str, now: datetime) -> set[int]:
    """`mark_sent` for many rows in one statement; the ids that were still this worker's."""
    if not row_ids:
        return set()
    result = db.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(row_ids), OutboxMessage.claimed_by == worker)
        .values(**_sent(now))
        .returning(OutboxMessage.id)
    )
    return {row[0] for row in result.all()}


def record_failure(
    db: Session, row_id: int, worker: str, error: str, now: datetime, lease: timedelta
) -> int:
    """Count a failed attempt (and renew the lease); the attempts so far, 0 if not ours."""
    found = db.exec(
        update(OutboxMessage)
        .where(_mine(row_id, worker))
        .values(
            attempts=OutboxMessage.attempts + 1,
            last_error=error[:ERROR_LIMIT],
            claimed_until=now + lease,
        )
        .returning(OutboxMessage.attempts)
    ).first()
    return found[0] if found else 0


def renew(db: Session, row_id: int, worker: str, until: datetime) -> bool:
    result = db.exec(
        update(OutboxMessage)
        .where(_mine(row_id, worker))
        .values(claimed_until=until)
        .returning(OutboxMessage.id)
    )
    return result.first() is not None


def reschedule(db: Session, row_id: int, worker: str, at: datetime) -> None:
    """Give the row back, to be tried again at `at`."""
    db.exec(
        update(OutboxMessage)
        .where(_mine(row_id, worker))
        .values(next_attempt_at=at, claimed_by=None, claimed_until=None)
    )


def mark_failed(db: Session, row_id: int, worker: str, error: str) -> None:
    db.exec(
        update(OutboxMessage)
        .where(_mine(row_id, worker))
        .values(state="failed", last_error=error[:ERROR_LIMIT], claimed_until=None)
    )


def key_used(db: Session, key: str) -> bool:
    """Whether a notice keyed `key` was queued to any target (rows are `<key>→<target>`)."""
    query = select(OutboxMessage.id).where(col(OutboxMessage.dedupe_key).startswith(f"{key}→"))
    return db.exec(query.limit(1)).first() is not None


def counts(db: Session) -> dict[str, int]:
    query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return dict(db.exec(query).all())


def in_state(db: Session, state: str, limit: int) -> Sequence[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.state == state)
    return db.exec(query.order_by(col(OutboxMessage.id).desc()).limit(limit)).all()


def oldest_queued(db: Session) -> datetime | None:
    """When the oldest row still waiting to be sent was queued (None: nothing waits)."""
    query = select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == "queued")
    return db.exec(query).one()
