"""The Friday digests are built by set: the statements the digest job runs do not grow
with the number of due projects, and every project still gets its own digest."""

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


def statements_of_the_friday_digests(folder: Path, projects: int) -> tuple[int, list[str]]:
    url = f"sqlite:///{folder}/digests-{projects}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects, items_per_project=30)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    digest_sweep(JobEnv(engine, Clock(FRIDAY), Settings(database_url=url)))
    event.remove(engine, "before_cursor_execute", count)
    with engine.connect() as conn:
        keys = conn.execute(text(
            "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'digest:%' ORDER BY id"
        )).scalars().all()
    engine.dispose()
    return len(statements), list(keys)


def test_the_digest_job_runs_as_many_statements_for_many_projects_as_for_few(
    tmp_path: Path,
) -> None:
    # 4 and 40: every fourth project has a meeting slot, so both sizes read meetings
    few, few_posts = statements_of_the_friday_digests(tmp_path, 4)
    many, many_posts = statements_of_the_friday_digests(tmp_path, 40)
    assert sorted(few_posts) == sorted(f"digest:P{p}:2026-W47→#c{p}" for p in (1, 2, 3, 4))
    assert len(many_posts) == 40 and len(set(many_posts)) == 40
    assert many == few, (few, many)
