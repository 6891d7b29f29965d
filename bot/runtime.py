"""Wiring: settings -> engine (migrated), clock, dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

import bot.handlers  # noqa: F401  (registers the commands)
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.health import Health
from bot.settings import Settings
from storage.engine import make_engine


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    dispatcher: Dispatcher
    heads: frozenset[str] | None = None  # the schema's newest revisions, when known
    health: Health = field(init=False)

    def __post_init__(self) -> None:
        self.health = Health(self.engine, heads=self.heads)

    def forked(self) -> None:
        """In a process forked from this one: its own database connections from now on
        (the parent's pooled ones stay the parent's)."""
        self.engine.dispose(close=False)


def build(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    heads: frozenset[str] | None = None,
) -> Runtime:
    """`migrate`: upgrade the database here first (alembic in this process); `heads`: the
    newest revisions, when the caller migrated apart (storage.schema_version)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    if migrate:
        from storage.migrate import upgrade  # alembic stays out of processes that migrate apart

        upgrade(engine)
    clock = Clock(settings.now, default_tz=settings.timezone)
    dispatcher = Dispatcher(engine, clock, settings)
    return Runtime(settings, engine, clock, dispatcher, heads)
