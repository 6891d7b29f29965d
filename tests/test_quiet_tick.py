"""A run of the jobs with nothing due reads the groups and their claims once, for every
morning job and group: more (timezone, calendar) groups cost it no more statements."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from benchmarks.seed import seed
from benchmarks.statements import recorded
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

MORNING = datetime.fromisoformat("2026-11-20T10:00:00+08:00")  # 09:00 passed in every zone
QUIET = datetime.fromisoformat("2026-11-20T10:05:00+08:00")
ZONES = ["Asia/Shanghai", "Asia/Singapore", "Asia/Hong_Kong"]  # all +08:00


def quiet_statements(folder: Path, zones: int) -> tuple[list[str], int]:
    """The statements of a quiet run after the morning's, and the morning claims made."""
    url = f"sqlite:///{folder}/quiet-{zones}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, 6, items_per_project=10)
    with engine.begin() as conn:
        for project in range(1, 7):
            conn.execute(text("UPDATE project SET timezone = :zone, calendar = 'weekends' "
                              "WHERE id = :id"),
                         {"zone": ZONES[project % zones], "id": project})
    clock = Clock(MORNING)
    settings = Settings(database_url=url)
    run_due(JobEnv(engine, clock, settings))
    clock.set(QUIET)
    with recorded(engine) as statements:
        run_due(JobEnv(engine, clock, settings))
    with engine.connect() as conn:
        claimed = conn.execute(
            text("SELECT count(*) FROM jobrun WHERE job = 'morning' AND period = '2026-11-20'")
        ).scalar_one()
    engine.dispose()
    return statements, claimed


def test_a_quiet_run_costs_the_same_for_one_group_as_for_three(tmp_path: Path) -> None:
    one, one_claimed = quiet_statements(tmp_path, 1)
    three, three_claimed = quiet_statements(tmp_path, 3)
    assert (one_claimed, three_claimed) == (1, 3)  # each group's morning did run
    assert len(three) == len(one), (len(one), len(three))
    assert sum("max(jobrun.period)" in s for s in three) == 1
