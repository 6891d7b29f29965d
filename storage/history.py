"""The append-only change log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from storage.models import History


def record(
    db: Session,
    *,
    entity: str,
    entity_id: int,
    field: str,
    at: datetime,
    actor_id: int | None,
    project_id: int | None,
    old: object = None,
    new: object = None,
) -> None:
    db.add(
        History(
            project_id=project_id,
            entity=entity,
            entity_id=entity_id,
            actor_id=actor_id,
            at=at,
            field=field,
            old=None if old is None else str(old)[:1000],
            new=None if new is None else str(new)[:1000],
        )
    )


def of(db: Session, entity: str, entity_id: int) -> Sequence[History]:
    query = (
        select(History)
        .where(History.entity == entity, History.entity_id == entity_id)
        .order_by(History.id)
    )
    return db.exec(query).all()
