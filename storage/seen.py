"""Once-only handling of inbound requests across processes (storage.models.InboundSeen)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from storage.engine import transaction
from storage.models import InboundSeen

KEEP = timedelta(days=1)  # platforms re-deliver within minutes


def first_time(engine: Engine, key: str, now: datetime) -> bool:
    """True for the first process (and call) that offers `key`; False for every repeat."""
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(InboundSeen)
        .values(key=key[:200], seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(InboundSeen.key)
    )
    with transaction(engine) as db:
        return db.exec(statement).first() is not None


def forget_before(engine: Engine, moment: datetime) -> int:
    with transaction(engine) as db:
        return db.exec(delete(InboundSeen).where(InboundSeen.seen_at < moment)).rowcount
