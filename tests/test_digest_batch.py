"""The Friday digests are built by set: the statements the digest job runs do not grow
with the number of due projects (meeting slots included), and every project still gets
its own digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from benchmarks.seed import seed
from benchmarks.statements import recorded
from bot.clock import Clock
from bot.jobs.digests import digest_sweep
from bot.jobs.registry import JobEnv
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

FRIDAY = datetime.fromisoformat("2026-11-20T17:00:00+08:00")  # the seed's first digests


def statements_of_the_friday_digests(folder: Path, projects: int) -> tuple[int, list[str], int]:
    """(statements of the Friday digests, their dedupe keys, meeting slots in the data)."""
    url = f"sqlite:///{folder}/digests-{projects}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects, items_per_project=30)
    with recorded(engine) as statements:
        digest_sweep(JobEnv(engine, Clock(FRIDAY), Settings(database_url=url)))
    with engine.connect() as conn:
        keys = conn.execute(text(
            "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'digest:%' ORDER BY id"
        )).scalars().all()
        slots = conn.execute(text("SELECT count(*) FROM meetingslot")).scalar_one()
    engine.dispose()
    return len(statements), list(keys), slots


def test_the_digest_job_runs_as_many_statements_for_many_projects_as_for_few(
    tmp_path: Path,
) -> None:
    # 4 and 40: every fourth project has a meeting slot, so both sizes read meetings
    few, few_posts, _ = statements_of_the_friday_digests(tmp_path, 4)
    many, many_posts, _ = statements_of_the_friday_digests(tmp_path, 40)
    assert sorted(few_posts) == sorted(f"digest:P{p}:2026-W47→#c{p}" for p in (1, 2, 3, 4))
    assert len(many_posts) == 40 and len(set(many_posts)) == 40
    assert many == few, (few, many)


def test_meeting_slots_cost_the_digest_job_no_statement_per_project(tmp_path: Path) -> None:
    few, _, few_slots = statements_of_the_friday_digests(tmp_path, 4)
    many, _, many_slots = statements_of_the_friday_digests(tmp_path, 40)
    assert 0 < few_slots < many_slots
    assert many == few, (few, many)
