"""PostgreSQL connections cost no extra round trip on a command's usual path, and stay
correct: a command's timeouts hold in every command and never leak into background work,
and a connection the server cut is noticed (after idle by the check, at once by the
busy answer) without losing a command's words."""

from __future__ import annotations

import re

import pytest
from conftest import SETUP, make_chat
from sqlalchemy import create_engine, text

from benchmarks.statements import recorded
from bot.warmup import rehearse
from storage import engine as engine_module
from storage import postgres
from storage.engine import make_engine, reading, transaction


def _timeouts(db) -> tuple[str, str]:  # noqa: ANN001
    row = db.execute(text("SELECT current_setting('lock_timeout'), "
                          "current_setting('statement_timeout')")).one()
    return row[0], row[1]


def _kill_pooled(url: str, engine) -> None:  # noqa: ANN001
    with transaction(engine) as db:
        pid = db.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(url)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    other.dispose()


def test_command_timeouts_hold_in_every_command_and_not_in_background_work(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    engine.pool.dispose()
    try:
        with transaction(engine) as db:
            default = _timeouts(db)
        seen = []
        for _ in range(3):
            with transaction(engine, command=True) as db:
                seen.append(_timeouts(db))
        with pytest.raises(RuntimeError), transaction(engine, command=True) as db:
            raise RuntimeError("a command that rolls back")
        with transaction(engine, command=True) as db:
            after_rollback = _timeouts(db)
        with transaction(engine) as db:
            background = _timeouts(db)
    finally:
        engine.dispose()
    assert default == ("0", "0")
    assert seen == [("3s", "6s")] * 3
    assert after_rollback == ("3s", "6s")
    assert background == default


def test_the_timeouts_are_set_only_when_the_kind_changes(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    real = postgres._outside_transaction
    monkeypatch.setattr(postgres, "_outside_transaction",
                        lambda conn, sql: (sent.append(sql), real(conn, sql)))
    engine = make_engine(postgres_url)
    try:
        for command in (True, True, True, False, False, True):
            with transaction(engine, command=command) as db:
                db.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert [("reset_val" in sql) for sql in sent] == [False, True, False]


def _after_a_cut(url: str, lines: list[str]) -> list[str]:
    """A set-up project, its pooled connection cut by the server, then `lines` (olivia's)."""
    chat = make_chat(url)
    try:
        for user, line in SETUP:
            chat(user, line)
        _kill_pooled(url, chat.runtime.engine)
        return [chat("olivia", line) for line in lines]
    finally:
        chat.runtime.engine.dispose()


ADD = 'action add "After a restart" owner @max due fri'


def test_a_connection_cut_while_idle_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "PING_IDLE_S", 0.0)
    [answer] = _after_a_cut(postgres_url, [ADD])
    assert "Added A1" in answer


def test_a_connection_cut_a_moment_ago_answers_busy_then_works(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "PING_IDLE_S", 3600.0)
    monkeypatch.setattr(engine_module, "COMMAND_WAIT_S", 1.0)
    first, again, listed = _after_a_cut(postgres_url, [ADD, ADD, "action list"])
    assert "busy right now" in first and "nothing was changed" in first
    assert "Added A1" in again
    assert listed.count("After a restart") == 1


def test_a_statement_run_twice_on_a_connection_is_prepared(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            for n in range(2):
                conn.execute(text("SELECT 41 + :n AS twice"), {"n": n})
            conn.execute(text("SELECT 1 AS once"))
            prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements")).all()
            kept = conn.connection.dbapi_connection.prepared_max
    finally:
        engine.dispose()
    assert kept == postgres.PREPARED_MAX
    statements = " | ".join(row[0] for row in prepared)
    assert "twice" in statements and "once" not in statements


def _prepared_here(db) -> list[str]:  # noqa: ANN001
    return [row[0] for row in db.execute(text("SELECT statement FROM pg_prepared_statements"))]


def test_a_rollback_keeps_what_the_connection_prepared_and_undoes_the_writes(
    postgres_url: str,
) -> None:
    # psycopg drops every prepared statement at its ROLLBACK; ours goes first (keep_prepared)
    engine = make_engine(postgres_url)
    try:
        for n in range(2):
            with transaction(engine, command=True) as db:
                db.execute(text("SELECT 41 + :n AS kept"), {"n": n})
        with pytest.raises(RuntimeError), transaction(engine, command=True) as db:
            db.execute(text("CREATE TABLE undone (id int)"))
            raise RuntimeError("a command that fails")
        with reading(engine) as db, pytest.raises(Exception, match="read-only"):
            db.execute(text("CREATE TABLE refused (id int)"))
        with reading(engine) as db:
            db.execute(text("SELECT 1"))
        with transaction(engine) as db:
            kept = _prepared_here(db)
            undone = db.execute(text("SELECT to_regclass('undone')")).scalar()
    finally:
        engine.dispose()
    assert any("kept" in statement for statement in kept)
    assert undone is None


def test_the_warm_up_leaves_the_read_commands_prepared(postgres_url: str) -> None:
    # `agenda show`, rehearsed after `meeting history`, is refused (no meeting slot yet):
    # its rollback keeps what the rehearsals before it prepared
    chat = make_chat(postgres_url)
    engine = chat.runtime.engine
    try:
        for user, line in SETUP:
            chat(user, line)
        with recorded(engine) as ran:
            chat("olivia", "meeting history")
        engine.dispose()  # a new process: nothing prepared yet
        assert rehearse(chat.runtime.dispatcher) > 0
        with transaction(engine) as db:
            prepared = _prepared_here(db)
    finally:
        engine.dispose()
    wanted = {_shape(s) for s in ran if s.startswith("SELECT") and "set_config" not in s}
    assert wanted and wanted <= {_shape(s) for s in prepared}, wanted - set(map(_shape, prepared))


def _shape(sql: str) -> str:
    """A statement without its placeholders (SQLAlchemy's %(name)s, the server's $1)."""
    return re.sub(r"%\(\w+\)s|\$\d+", "?", sql)
