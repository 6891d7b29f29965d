"""Shared fixtures: migrated databases (SQLite; PostgreSQL when configured), a chat harness."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

# the trials' `trial` fixture and their "what was tried and what held" report (issue 15)
from trial_report import pytest_terminal_summary, trial  # noqa: F401

from bot.adapters.console import ConsoleAdapter
from bot.logs import HANDLER_NAME
from bot.runtime import Runtime, build
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

PG_ENV = "TASKFORCE_TEST_POSTGRES_URL"
NOW = datetime.fromisoformat("2026-11-18T10:00:00+08:00")  # a Wednesday in Shanghai


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "taskforce.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def _admin_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests need a server (CI sets it)")
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A throwaway database on the configured server, migrated; dropped afterwards."""
    name = f"tf_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(postgres_server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """Each repository test runs on SQLite and (when configured) PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


class Chat:
    """Drive the core as console users would, with a pinned clock."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.adapter = ConsoleAdapter(runtime.dispatcher, "olivia", "launch", out=None)  # type: ignore[arg-type]

    def __call__(self, user: str, line: str, channel: str = "launch") -> str:
        self.adapter.user, self.adapter.channel = user, channel
        return "\n".join(self.adapter.handle(line))

    def at(self, iso: str) -> None:
        self.runtime.clock.set(datetime.fromisoformat(iso))

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table, for proving that nothing changed."""
        engine = self.runtime.engine
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.connect() as conn:
            return {
                t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
                for t in tables
            }


def make_chat(url: str, **settings: object) -> Chat:
    runtime = build(Settings(database_url=url, now=NOW, **settings), migrate=False)
    return Chat(runtime)


@pytest.fixture
def chat(sqlite_url: str) -> Iterator[Chat]:
    made = make_chat(sqlite_url)
    yield made
    made.runtime.engine.dispose()


SETUP = [
    ("olivia", 'project create "Launch approval" key LA goal "approval 15 -> 7 days"'),
    ("olivia", "dept add Marketing head @mona"),
    ("olivia", "dept add Legal head @leo"),
    ("olivia", "member add @olivia dept Marketing"),
    ("olivia", "member add @lena dept Legal role lead"),
    ("olivia", "member add @max dept Marketing"),
    ("olivia", "member add @vic dept Legal role viewer"),
]


@pytest.fixture
def team(chat: Chat) -> Chat:
    """A project LA in #launch: olivia process owner, lena lead, max member, vic viewer."""
    for user, line in SETUP:
        chat(user, line)
    return chat


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A CLI command run in-process installs the bot's log handler (bot/logs.py); take it
    away after the test, so later tests do not write into a closed captured stream."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def slack_work() -> str:
    """Where the served Slack app does the work after an ack (tests/test_slack_http.py runs
    its own tests both ways): "threads" of the serving process, or "workers"."""
    return "threads"
