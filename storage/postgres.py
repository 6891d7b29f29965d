"""PostgreSQL connection set-up that costs no round trip on a command's usual path.

- Liveness: a pooled connection is checked (SELECT 1) only when it has been idle for
  PING_IDLE_S; one used a moment ago is trusted. A connection the server cut since then
  fails its first statement, which `is_busy` answers "busy, try again", and the pool
  replaces every connection older than that failure.
- Prepared statements: a statement run twice on a connection is prepared (PREPARE_AFTER).
- Prepared statements outlive a rollback: psycopg drops every statement it prepared on
  a connection at a ROLLBACK, in case the transaction changed the schema (ours never
  do: migrations commit). A failed command or a rehearsal would make the next commands
  prepare and plan theirs again, so the transaction is rolled back on the wire first
  (`keep_prepared`) and psycopg then finds nothing to roll back.
- Command timeouts: lock_timeout and statement_timeout are session settings, changed
  only when the connection's last transaction was of another kind. They are set outside
  any transaction, so that no rollback can undo them behind the connection's record.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

PING_IDLE_S = 10.0
# psycopg prepares a statement on a connection once it has run it this many times (its
# default is 5): the server no longer parses it, and from WARM_RUNS on plans it no more.
# A window statement's plan costs about a millisecond.
PREPARE_AFTER = 1
# psycopg keeps 100 prepared statements a connection and deallocates the oldest beyond
# them; the commands alone prepare 54 (the warm-up and P2's commands), and the jobs
# theirs on the same pool
PREPARED_MAX = 500
# The server plans a prepared statement afresh at each of its first five runs (custom
# plans), builds its generic plan at the sixth and keeps it when it is no worse: from the
# seventh run on a connection, a statement is planned no more (forcing generic plans
# from the first run made the jobs' set queries five times slower).
WARM_RUNS = PREPARE_AFTER + 6
_SERVER_DEFAULTS = (
    "SELECT set_config(name, reset_val, false) FROM pg_settings "
    "WHERE name IN ('lock_timeout', 'statement_timeout')"
)


def set_up(engine: Engine) -> None:
    """The pool's listeners: the idle stamp at check-in, the liveness check at check-out."""
    dialect = engine.dialect

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("the server closed the connection") from error
            raise

    event.listen(engine.pool, "connect", _prepare_more)
    event.listen(engine.pool, "checkout", ping_if_idle)
    event.listen(engine.pool, "checkin", _stamp_idle)
    event.listen(engine, "rollback", keep_prepared)


def keep_prepared(connection) -> None:  # noqa: ANN001
    """Before SQLAlchemy's rollback: ROLLBACK sent through libpq itself, past psycopg's
    bookkeeping. Anything unusual (a lost connection) is left to psycopg's own rollback."""
    from psycopg import pq  # here: importing psycopg costs a SQLite process 10 MB

    try:
        pgconn = connection.connection.dbapi_connection.pgconn
        if pgconn.transaction_status in (pq.TransactionStatus.INTRANS,
                                         pq.TransactionStatus.INERROR):
            pgconn.exec_(b"ROLLBACK")
    except Exception:  # noqa: BLE001  (psycopg's rollback meets it again and reports it)
        return


def begin(connection, kind: str, command_wait_s: float) -> None:  # noqa: ANN001
    """At BEGIN: a command's timeouts (row-level waits end after a few seconds, a statement
    stuck for longer ends too), the server's own for background work, read-only reads."""
    if kind == "read":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        return
    ms = int(command_wait_s * 1000) if kind == "command" else None
    info = connection.connection.info  # per DBAPI connection; cleared when it reconnects
    if info.get("timeouts") == ms:
        return
    if ms is None:
        _outside_transaction(connection, _SERVER_DEFAULTS)
    else:
        _outside_transaction(
            connection,
            f"SELECT set_config('lock_timeout', '{ms}', false), "
            f"set_config('statement_timeout', '{ms * 2}', false)",
        )
    info["timeouts"] = ms


def _outside_transaction(connection, sql: str) -> None:  # noqa: ANN001
    # psycopg opens its transaction at the first statement: at SQLAlchemy's BEGIN none is
    # open yet, so this runs in autocommit and holds whatever the transaction then does
    # (through SQLAlchemy, so that a lost connection is recognised and replaced)
    raw = connection.connection.dbapi_connection
    before, raw.autocommit = raw.autocommit, True
    try:
        connection.exec_driver_sql(sql)
    finally:
        if not raw.closed:
            raw.autocommit = before


def _prepare_more(dbapi_connection, _record) -> None:  # noqa: ANN001
    dbapi_connection.prepared_max = PREPARED_MAX


def _stamp_idle(_dbapi_connection, record) -> None:  # noqa: ANN001
    record.info["idle_since"] = time.monotonic()
