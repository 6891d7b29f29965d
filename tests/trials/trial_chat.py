"""Console users typing into #launch on any database (tests/conftest.py's Chat does the same
on SQLite only; a trial cannot import that conftest by name, trials/ has its own)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect, text

from bot.adapters.console import ConsoleAdapter
from bot.runtime import build
from bot.settings import Settings

NOW = datetime.fromisoformat("2026-11-18T10:00:00+08:00")  # a Wednesday in Shanghai
SETUP = [
    ("olivia", 'project create "Launch approval" key LA goal "approval 15 -> 7 days"'),
    ("olivia", "dept add Marketing head @mona"),
    ("olivia", "dept add Legal head @leo"),
    ("olivia", "member add @max dept Marketing"),
]


class Org:
    def __init__(self, url: str) -> None:
        self.runtime = build(Settings(database_url=url, now=NOW), migrate=False)
        self.adapter = ConsoleAdapter(self.runtime.dispatcher, "olivia", "launch", out=None)  # type: ignore[arg-type]

    def __call__(self, user: str, line: str) -> str:
        self.adapter.user = user
        return "\n".join(self.adapter.handle(line))

    def set_up(self) -> Org:
        for user, line in SETUP:
            self(user, line)
        return self

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table, for proving that nothing changed."""
        engine = self.runtime.engine
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.connect() as conn:
            return {
                t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}"))), key=repr)
                for t in tables
            }
