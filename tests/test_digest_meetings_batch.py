"""The digest's meeting lines are read by set too: with meeting slots in the data, the
digest job runs as many statements for 30 projects as for 3."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import event, text

from benchmarks.seed import seed
from bot.clock import Clock
from bot.jobs.digests import digest_sweep
from bot.jobs.registry import JobEnv
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

FRIDAY = datetime.fromisoformat("2026-11-20T17:00:00+08:00")  # the seed's first digests


def statements_with_slots(folder: Path, projects: int) -> tuple[int, int]:
    """(statements of the Friday digests, meeting slots in the data)."""
    url = f"sqlite:///{folder}/slots-{projects}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects, items_per_project=30)
    with engine.connect() as conn:
        slots = conn.execute(text("SELECT count(*) FROM meetingslot")).scalar_one()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    digest_sweep(JobEnv(engine, Clock(FRIDAY), Settings(database_url=url)))
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return len(statements), slots


def test_meeting_slots_cost_the_digest_job_no_statement_per_project(tmp_path: Path) -> None:
    few, few_slots = statements_with_slots(tmp_path, 4)
    many, many_slots = statements_with_slots(tmp_path, 40)
    assert 0 < few_slots < many_slots
    assert many == few, (few, many)
