"""Notices -> outbox rows, written in the transaction of the change that caused them.

Each notice is rendered for its target's platform (Renderer's fallback chain)
and keyed for dedupe: `<notice key>→<target>`, so one notice to several
targets makes one row each and a repeated notice makes none.
"""

from __future__ import annotations

import functools
import importlib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.logs import current_request_id
from bot.messages import Notice
from bot.outbox.quiet import quiet_until
from bot.render import PayloadRenderer, renderer_for
from storage import outbox, people
from storage.models import Person
from storage.prepared import ids_param

# A platform's own renderer (its escaping, its templates), imported on first use:
# fixed here, so every process renders a platform's notices alike, whether or not
# it has that platform's credentials (`taskforce tick`, the console). These
# modules import no platform SDK. Other platforms get the core renderer.
RENDERERS = {
    "slack": "bot.adapters.slack.render:OutboxRenderer",
    "dingtalk": "bot.adapters.dingtalk.render:DingTalkRenderer",
}
PEOPLE_CHUNK = 500  # user ids per quiet-hours query

OnError = Callable[[Notice, "int | None", Exception], None]


@functools.cache
def renderer(platform: str) -> PayloadRenderer:
    """The one renderer for notices to `platform` (made once per process)."""
    if platform not in RENDERERS:
        return renderer_for(platform)
    module, _, attribute = RENDERERS[platform].partition(":")
    return getattr(importlib.import_module(module), attribute)()


def row_key(notice: Notice) -> str:
    base = notice.dedupe_key or f"{notice.template}:{uuid.uuid4().hex}"
    return f"{base}→{notice.target}"[:200]


def quiet_people(db: Session, notices: Sequence[Notice]) -> dict[tuple[str, str], Person]:
    """The people among the notices' DM targets who keep quiet hours."""
    targets = {(n.target.platform, n.target.user_id) for n in notices if n.target.user_id}
    known = people.remembered(db)  # the session's people: its caller, the people @named
    found = {key: known[key] for key in targets & known.keys()
             if known[key].quiet_start is not None}
    wanted = sorted(targets - known.keys())
    for start in range(0, len(wanted), PEOPLE_CHUNK):
        for platform, pairs in groupby(wanted[start : start + PEOPLE_CHUNK], key=itemgetter(0)):
            values = {"platform": platform, "ids": [user_id for _, user_id in pairs]}
            rows = db.exec(_quiet(), params=values).all()
            found.update({(p.platform, p.user_id): p for p in rows})
    return found


@functools.cache  # every command with a notice asks it: built once (storage/prepared.py)
def _quiet() -> SelectOfScalar[Person]:
    return select(Person).where(  # by (platform, user id): the unique index
        Person.platform == bindparam("platform"), col(Person.user_id).in_(ids_param()),
        col(Person.quiet_start).is_not(None),
    )


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
    db: Session,
    notices: Sequence[tuple[Notice, int | None]],
    now: datetime,
    timezone: str,
    on_error: OnError | None = None,
) -> int:
    """`enqueue` for notices of several projects at once (inserted 500 rows a statement).

    A notice that cannot be rendered raises, unless `on_error` is given: then it
    is skipped after `on_error(notice, project_id, error)` and the others are stored.
    """
    if not notices:
        return 0
    quiet = quiet_people(db, [n for n, _ in notices])
    return outbox.insert(db, render_rows(notices, quiet, now, timezone, on_error))


def render_rows(
    notices: Sequence[tuple[Notice, int | None]],
    quiet: dict[tuple[str, str], Person],
    now: datetime,
    timezone: str,
    on_error: OnError | None = None,
) -> list[dict]:
    """The outbox rows of `notices`, rendered (needs no database: a sweep renders
    between its short transactions); `quiet` from `quiet_people`."""
    rows = []
    request_id = current_request_id()
    for notice, project_id in notices:
        target = notice.target
        try:
            payload = renderer(target.platform).render(notice.template, notice.data, notice.locale)
        except Exception as error:
            if on_error is None:
                raise
            on_error(notice, project_id, error)
            continue
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
                "payload": payload,
                "state": "queued",
                "attempts": 0,
                "next_attempt_at": send_at,
                "created_at": now,
                "request_id": request_id,
            }
        )
    return rows
