"""The schema's revision for a long-running process that should not hold alembic.

Alembic, with mako and pygments that it loads, is about 11 MB of a process's memory, and
another 4 MB once it has read the migration scripts; `taskforce run` needs it for one
upgrade at start-up. So the server migrates in a short-lived child process
(`migrate_apart`), which hands back the newest revisions the code knows, and `/healthz`
compares them with what `current` reads from alembic's own `alembic_version` table.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from storage.engine import make_engine

VERSION_TABLE = "alembic_version"  # alembic's default version table, one row per head


class MigrationFailed(RuntimeError):
    """The start-up's migration did not complete; the message says why."""


def current(engine: Engine) -> set[str]:
    """The revisions the database is at (none: never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return set()
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
        return {row[0] for row in rows}


def migrate_apart(url: str) -> frozenset[str]:
    """Upgrade the database at `url` to the newest schema in a forked child process; the
    newest revisions the code knows. Call it before any thread starts. Raises
    MigrationFailed with the child's error when the upgrade failed."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_migrate, args=(url, sending), name="taskforce-migrate")
    child.start()
    sending.close()
    try:
        outcome, found = receiving.recv()
    except EOFError:
        outcome, found = "error", "the migration process ended without an answer"
    child.join()
    if outcome != "ok":
        raise MigrationFailed(f"migrating the database failed: {found}")
    return frozenset(found)


def _migrate(url: str, sending: Connection) -> None:
    from storage.migrate import heads, upgrade

    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        sending.send(("ok", sorted(heads(url))))
    except Exception as error:  # reported to the parent, which stops the start-up
        sending.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sending.close()
