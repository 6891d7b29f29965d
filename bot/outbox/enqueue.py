"""Notices -> outbox rows, written in the transaction of the change that caused them.

Each notice is rendered for its target's platform (Renderer's fallback chain)
and keyed for dedupe: `<notice key>→<target>`, so one notice to several
targets makes one row each and a repeated notice makes none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from bot.messages import Notice
from bot.outbox.quiet import quiet_until
from bot.render import PayloadRenderer, renderer_for
from storage import outbox
from storage.models import Person

_RENDERERS: dict[str, PayloadRenderer] = {}


def register_renderer(platform: str, renderer: PayloadRenderer) -> None:
    """An adapter's own renderer (its escaping, its templates) for notices to its platform."""
    _RENDERERS[platform] = renderer


def renderer(platform: str) -> PayloadRenderer:
    return _RENDERERS.get(platform) or renderer_for(platform)


def row_key(notice: Notice) -> str:
    base = notice.dedupe_key or f"{notice.template}:{uuid.uuid4().hex}"
    return f"{base}→{notice.target}"[:200]


def _quiet_people(db: Session, notices: Sequence[Notice]) -> dict[tuple[str, str], Person]:
    wanted = {(n.target.platform, n.target.user_id) for n in notices if n.target.user_id}
    if not wanted:
        return {}
    ids = {user_id for _, user_id in wanted}
    query = select(Person).where(col(Person.user_id).in_(ids), col(Person.quiet_start).is_not(None))
    return {(p.platform, p.user_id): p for p in db.exec(query).all()}


def enqueue(
    db: Session,
    notices: Sequence[Notice],
    now: datetime,
    timezone: str,
    project_id: int | None = None,
) -> int:
    """Store `notices` (rendered) for delivery; how many rows were new.

    A DM to someone in their quiet hours (read in `timezone`) waits until they end.
    """
    return enqueue_many(db, [(n, project_id) for n in notices], now, timezone)


def enqueue_many(
    db: Session, notices: Sequence[tuple[Notice, int | None]], now: datetime, timezone: str
) -> int:
    """`enqueue` for notices of several projects at once: two statements in all."""
    if not notices:
        return 0
    quiet = _quiet_people(db, [n for n, _ in notices])
    rows = []
    for notice, project_id in notices:
        target = notice.target
        send_at = now
        person = quiet.get((target.platform, target.user_id or ""))
        if person is not None:
            send_at = quiet_until(person.quiet_start, person.quiet_end, timezone, now) or now
        rows.append(
            {
                "dedupe_key": row_key(notice),
                "platform": target.platform,
                "channel_id": target.channel_id,
                "user_id": target.user_id,
                "kind": notice.template[:40],
                "project_id": project_id,
                "payload": renderer(target.platform).render(
                    notice.template, notice.data, notice.locale
                ),
                "state": "queued",
                "attempts": 0,
                "next_attempt_at": send_at,
                "created_at": now,
            }
        )
    return outbox.insert(db, rows)
