"""SQLite's checkpoints (the WAL copied into the database file) happen in background
commits, never in a command's: a command that commits after the WAL passed its limit
would otherwise pay 10–80 ms for work that is not its own."""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.statements import recorded
from storage.engine import CHECKPOINT_PAGES, make_engine, transaction

ROW = "x" * 4000  # about one page each


def _file_bytes(url: str) -> int:
    return os.path.getsize(make_url(url).database or "")


def test_the_wal_is_checkpointed_by_background_commits_not_by_commands(sqlite_url):
    engine = make_engine(sqlite_url)
    with transaction(engine) as db:
        db.exec(text("CREATE TABLE scratch (v TEXT)"))
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside
    raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    before = _file_bytes(sqlite_url)
    for _ in range(3):  # past the limit of pages, in commands
        with transaction(engine, command=True) as db:
            assert db.exec(text("PRAGMA wal_autocheckpoint")).scalar() == 0
            db.connection().exec_driver_sql(
                "INSERT INTO scratch (v) VALUES (?)", [(ROW,)] * (CHECKPOINT_PAGES // 2))
    assert _file_bytes(sqlite_url) == before  # every page still in the WAL only
    with transaction(engine) as db:
        assert db.exec(text("PRAGMA wal_autocheckpoint")).scalar() == CHECKPOINT_PAGES
        db.exec(text("INSERT INTO scratch (v) VALUES ('one more')"))
    grown = _file_bytes(sqlite_url) - before
    assert grown > CHECKPOINT_PAGES * 4000, grown  # the background commit checkpointed
    engine.dispose()


def test_commands_one_after_another_set_nothing_again(sqlite_url):
    engine = make_engine(sqlite_url)
    with transaction(engine, command=True) as db:  # the first sets the command's pragmas
        db.exec(text("SELECT 1"))
    with recorded(engine) as seen:
        for _ in range(3):
            with transaction(engine, command=True) as db:
                db.exec(text("SELECT 1"))
    engine.dispose()
    assert [s for s in seen if s.startswith("PRAGMA")] == []
    assert seen.count("BEGIN IMMEDIATE") == 3
