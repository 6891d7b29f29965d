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
from storage.migrate import upgrade


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    dispatcher: Dispatcher
    health: Health = field(init=False)

    def __post_init__(self) -> None:
        self.health = Health(self.engine)

    def forked(self) -> None:
        """In a process forked from this one: its own database connections from now on
        (the parent's pooled ones stay the parent's)."""
        self.engine.dispose(close=False)


def build(settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    clock = Clock(settings.now, default_tz=settings.timezone)
    return Runtime(settings, engine, clock, Dispatcher(engine, clock, settings))
