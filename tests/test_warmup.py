"""The start-up warm-up (bot/warmup.py) rehearses the read commands and `action add`
without changing anything, and leaves their statements compiled: the first real command
compiles none."""

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
from bot.warmup import _in_channel, _written_most, rehearse, warm
from storage import projects
from storage.engine import make_engine, reading
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


def test_the_write_rehearsal_runs_to_its_end_and_leaves_action_add_compiled(
    any_db_url: str,
) -> None:
    url = any_db_url
    engine = make_engine(url)
    seed(engine, 3, items_per_project=10)
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=url))
    with reading(engine) as db:
        binding, owner = projects.newest_bound_owner(db)
    [add] = _written_most(dispatcher.clock)
    before = counts(engine)
    by_name = _in_channel(binding, owner, add, mention=True)
    assert not by_name.mentions and f"@{owner.display_name} " in by_name.text
    assert dispatcher.rehearse(by_name, write=True)
    spaced = owner.model_copy(update={"display_name": "Wang Lei"})
    by_id = _in_channel(binding, spaced, add, mention=True)
    assert by_id.mentions["owner"].user_id == owner.user_id
    assert dispatcher.rehearse(by_id, write=True)
    assert counts(engine) == before
    compiled = len(engine._compiled_cache)
    replies = dispatcher.handle(Inbound(
        platform="console", user_id=owner.user_id, user_name=owner.display_name,
        text=f'action add "real" owner @{owner.display_name} due 2026-11-27',
        channel_id=binding.channel_id, is_dm=False,
    ))
    assert replies[0].template != "error", replies[0].data
    assert len(engine._compiled_cache) == compiled
    assert counts(engine)["actionitem"] == before["actionitem"] + 1
    engine.dispose()
