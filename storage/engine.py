"""Engine and session set-up: SQLite (WAL, busy timeout) or PostgreSQL by URL.

Three kinds of transaction, so that a person's command never queues behind the
scheduler for long:

- `transaction(engine)`: background work (jobs, delivery, CLI). On SQLite it
  takes the write lock up front (BEGIN IMMEDIATE) and waits up to
  SQLITE_BUSY_MS for it. Bulk work is cut into chunks of its own short
  transactions and calls `yield_to_commands` between them.
- `transaction(engine, command=True)`: a chat command. It waits at most
  COMMAND_WAIT_S for the write lock (SQLite: the process's commands queue on a
  lock, then the busy timeout; PostgreSQL: lock_timeout and
  statement_timeout), then fails with an error `is_busy` recognises, having
  written nothing; the dispatcher answers "busy".
- `reading(engine)`: read-only; on SQLite a deferred BEGIN, which in WAL mode
  never waits for a writer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from storage import postgres

# background work rides out another writer's lock of 10 s and more (tests/trials/
# test_sqlite_locked.py); commands still answer "busy" after COMMAND_WAIT_S
SQLITE_BUSY_MS = 30_000
# SQLite's own default: after a commit leaves this many pages in the WAL, that commit
# copies them into the database file (a checkpoint, 10–80 ms here). A command's commit
# never does (0): the next background commit of the process does, off the people's path.
CHECKPOINT_PAGES = 1000
COMMAND_WAIT_S = 3.0  # how long a command waits for the write lock before answering "busy"
YIELD_MAX_S = 1.0  # how long one background chunk lets waiting commands go first
BUSY_SQLSTATES = {"55P03", "57014"}  # PostgreSQL: lock_timeout, statement_timeout
# PostgreSQL going away (a restart, a failover): the session was cut (57P01-57P03) or the
# connection failed (class 08). The transaction did not commit; the pool reconnects.
GONE_SQLSTATES = {"57P01", "57P02", "57P03"}

_kind: ContextVar[str] = ContextVar("transaction_kind", default="background")
_gates: dict[int, threading.Lock] = {}  # id(engine) -> this process's queue of SQLite commands
_waiting: dict[int, int] = {}  # id(engine) -> commands of this process waiting for the lock
_waited: dict[int, int] = {}  # id(engine) -> commands that stopped waiting (lock got or not)
_waiting_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _busy_ms(connection, wanted: int) -> None:  # noqa: ANN001
    _pragma(connection, "busy_timeout", wanted, SQLITE_BUSY_MS)


def _checkpoints(connection, pages: int) -> None:  # noqa: ANN001
    _pragma(connection, "wal_autocheckpoint", pages, CHECKPOINT_PAGES)


def _pragma(connection, name: str, wanted: int, default: int) -> None:  # noqa: ANN001
    info = connection.connection.info  # per DBAPI connection: set only when it changes
    if info.get(name, default) != wanted:
        connection.exec_driver_sql(f"PRAGMA {name}={wanted}")
        info[name] = wanted


class Busy(Exception):
    """The write lock was not had within COMMAND_WAIT_S (nothing was written)."""


def _gate(connection) -> threading.Lock:  # noqa: ANN001
    with _waiting_lock:
        return _gates.setdefault(id(connection.engine), threading.Lock())


def _release_gate(connection) -> None:  # noqa: ANN001
    gate = connection.connection.info.pop("gate", None)
    if gate is not None:
        gate.release()


def _release_on_checkin(_dbapi_connection, record, _state: object = None) -> None:  # noqa: ANN001
    # checkin passes two arguments; reset (its reset state) and invalidate three
    gate = record.info.pop("gate", None)  # a connection dropped or reset mid-transaction
    if gate is not None:
        gate.release()


def _command_begin(connection) -> None:  # noqa: ANN001
    """A command's BEGIN IMMEDIATE: first in this process's queue (a lock whose release
    wakes the next command at once), then SQLite's busy wait for other processes and
    background work, COMMAND_WAIT_S in all."""
    started = time.monotonic()
    gate = _gate(connection)
    if not gate.acquire(timeout=COMMAND_WAIT_S):
        raise Busy("the database stayed busy")
    try:
        left = COMMAND_WAIT_S - (time.monotonic() - started)
        # in steps of 100 ms: an uncontended command then finds it set already
        _busy_ms(connection, max(50, int(left * 10) * 100))
        _checkpoints(connection, 0)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        gate.release()
        raise
    connection.connection.info["gate"] = gate


def _begin_sqlite(connection) -> None:  # noqa: ANN001
    # A deferred transaction that reads, then writes, fails at once with "database is
    # locked" when another writer got there first; taking the write lock up front makes
    # concurrent commands queue on the busy timeout instead. Reads need no lock (WAL).
    kind = _kind.get()
    if kind == "read":
        connection.exec_driver_sql("BEGIN")
        return
    if kind != "command":
        _busy_ms(connection, SQLITE_BUSY_MS)
        _checkpoints(connection, CHECKPOINT_PAGES)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    key = id(connection.engine)
    with _waiting_lock:
        _waiting[key] = _waiting.get(key, 0) + 1
    try:
        _command_begin(connection)
    finally:
        with _waiting_lock:
            _waiting[key] -= 1
            _waited[key] = _waited.get(key, 0) + 1


def _begin_postgres(connection) -> None:  # noqa: ANN001
    postgres.begin(connection, _kind.get(), COMMAND_WAIT_S)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "commit", _release_gate)
        event.listen(engine, "rollback", _release_gate)
        for name in ("checkin", "reset", "invalidate"):
            event.listen(engine.pool, name, _release_on_checkin)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10,
                           connect_args={"prepare_threshold": postgres.PREPARE_AFTER})
    postgres.set_up(engine)
    event.listen(engine, "begin", _begin_postgres)
    return engine


@contextmanager
def transaction(engine: Engine, *, command: bool = False) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any exception.

    `command=True` for a chat command: a busy database fails it quickly (`is_busy`)."""
    token = _kind.set("command" if command else "background")
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        _kind.reset(token)


def reading(engine: Engine) -> AbstractContextManager[Session]:
    """A read-only unit of work that never waits for the write lock."""
    return _rolled_back(engine, "read")


def rehearsing(engine: Engine) -> AbstractContextManager[Session]:
    """A command's unit of work that is always rolled back (the start-up rehearsal of
    the write commands, bot/warmup.py): its statements run, nothing stays."""
    return _rolled_back(engine, "command")


@contextmanager
def _rolled_back(engine: Engine, kind: str) -> Iterator[Session]:
    token = _kind.set(kind)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session  # closing hands the connection back, its transaction rolled back
    finally:
        _kind.reset(token)


def warm_runs(engine: Engine) -> int:
    """How often a statement runs on a connection before it costs what it will cost from
    then on (SQLite: once, to be compiled and cached)."""
    return postgres.WARM_RUNS if engine.dialect.name == "postgresql" else 1


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "the database was busy, or briefly gone" (nothing was
    written): the command is answered "busy, try again", not "something went wrong"."""
    if isinstance(error, Busy):
        return True
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or ""
    if sqlstate in BUSY_SQLSTATES or sqlstate in GONE_SQLSTATES or sqlstate.startswith("08"):
        return True
    if error.connection_invalidated or _server_unreachable(original):
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


def _server_unreachable(original: BaseException) -> bool:
    """psycopg's "could not connect" (no SQLSTATE: there was no server to send one)."""
    module = type(original).__module__
    return module.startswith("psycopg") and type(original).__name__ == "OperationalError" and (
        "connection" in str(original).lower()
    )


def commands_waiting(engine: Engine) -> int:
    with _waiting_lock:
        return _waiting.get(id(engine), 0)


def yield_to_commands(engine: Engine, limit: float = YIELD_MAX_S) -> None:
    """Between two chunks of background work: let the commands of this process that are
    waiting for the write lock now take it first (SQLite's busy wait is not a queue; a
    job that commits and at once begins again would otherwise win nearly every time).
    Commands arriving meanwhile wait for the next gap, so the job is not starved.
    Waits at most `limit` seconds."""
    key = id(engine)
    with _waiting_lock:
        target = _waited.get(key, 0) + _waiting.get(key, 0)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with _waiting_lock:
            if _waited.get(key, 0) >= target:
                return
        time.sleep(0.002)
