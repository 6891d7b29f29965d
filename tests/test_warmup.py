"""The start-up warm-up (bot/warmup.py) rehearses the read commands without changing
anything, and leaves their statements compiled: the first real command compiles none."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text

from benchmarks.seed import seed
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.settings import Settings
from bot.warmup import rehearse, warm
from storage.engine import make_engine
from storage.migrate import upgrade

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")


def counts(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            for table in inspect(engine).get_table_names()
        }


def test_the_warm_up_changes_nothing_and_leaves_the_commands_compiled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/warm.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, 3, items_per_project=10)
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=url))
    before = counts(engine)
    try:
        warm(dispatcher)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert counts(engine) == before
    assert rehearse(dispatcher) > 0
    # P3's process owner in its channel (the rehearsal's newest project)
    owner = text("SELECT p.user_id, p.display_name FROM person p "
                 "JOIN membership m ON m.person_id = p.id "
                 "WHERE m.project_id = 3 AND m.role = 'process-owner'")
    with engine.connect() as conn:
        user, name = conn.execute(owner).one()
    compiled = len(engine._compiled_cache)  # SQLAlchemy's per-engine statement cache
    replies = dispatcher.handle(Inbound(platform="console", user_id=user, user_name=name,
                                        text="status", channel_id="c3", is_dm=False))
    assert replies[0].template != "error", replies[0].data
    assert len(engine._compiled_cache) == compiled
    engine.dispose()


def test_an_empty_database_has_nothing_to_rehearse(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    engine = make_engine(url)
    upgrade(engine)
    assert rehearse(Dispatcher(engine, Clock(NOW), Settings(database_url=url))) == 0
    engine.dispose()
