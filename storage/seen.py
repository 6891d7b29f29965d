"""Once-only handling of inbound requests across processes (storage.models.InboundSeen)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.engine import transaction, yield_to_commands
from storage.models import InboundSeen

KEEP = timedelta(days=1)  # platforms re-deliver within minutes
CHUNK = 1000  # keys forgotten per transaction (a few ms of write lock each)


def claim(db: Session, key: str, now: datetime) -> bool:
    """In `db`'s transaction: True when this is the first offer of `key` (in any process);
    False for every repeat. The claim commits or rolls back with the transaction."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboundSeen)
        .values(key=key[:200], seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(InboundSeen.key)
    )
    return db.exec(statement).first() is not None


def first_time(engine: Engine, key: str, now: datetime) -> bool:
    """True for the first process (and call) that offers `key`; False for every repeat."""
    with transaction(engine) as db:
        return claim(db, key, now)


def forget_before(engine: Engine, moment: datetime, chunk: int = CHUNK) -> int:
    """Delete keys seen before `moment`, `chunk` rows per short transaction."""
    forgotten = 0
    while True:
        yield_to_commands(engine)
        with transaction(engine) as db:
            old = select(InboundSeen.key).where(col(InboundSeen.seen_at) < moment).limit(chunk)
            keys = list(db.exec(old).all())
            if keys:
                db.exec(delete(InboundSeen).where(col(InboundSeen.key).in_(keys)))
        forgotten += len(keys)
        if len(keys) < chunk:
            return forgotten
