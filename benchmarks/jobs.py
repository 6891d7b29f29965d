"""Each scheduled job alone, at a moment it has work in every project: the statements it
runs and its time on a 20-project database and a full-size one, in one run. A job built
from set queries runs as many statements at both sizes (the ratio of statements is 1).

    python -m benchmarks.jobs [--projects 2000] [--items 100]

Every job runs on its own copy of the seeded SQLite database (benchmarks/copies.py), at
Thursday 09:00 of the seed's week (benchmarks/seed_extras.py), the digests on Friday 17:00.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from benchmarks.copies import copy_of
from benchmarks.seed import seed
from benchmarks.seed_extras import MORNING
from benchmarks.statements import recorded
from bot.clock import Clock
from bot.jobs.registry import JOBS, JobEnv
from bot.jobs.runner import run_due  # noqa: F401  (registers the jobs)
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade

FRIDAY = datetime.fromisoformat("2026-11-20T17:00:00+08:00")  # the seed's first digests


def moment(job: str) -> datetime:
    return FRIDAY if job == "digest" else MORNING


@dataclass
class Run:
    statements: int
    seconds: float
    queued: Counter[int]  # outbox rows the job wrote, per project id


def prepared(folder: Path, projects: int, items: int = 100) -> str:
    """A migrated, seeded SQLite database in `folder`: its URL."""
    url = f"sqlite:///{folder}/jobs-{projects}-{items}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects, items_per_project=items)
    engine.dispose()
    return url


def run_job(url: str, name: str) -> Run:
    """The job `name` once, on `url`, at its moment."""
    engine = make_engine(url)
    env = JobEnv(engine, Clock(moment(name)), Settings(database_url=url))
    with recorded(engine) as statements:
        start = time.perf_counter()
        JOBS[name](env)
        seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT project_id, COUNT(*) FROM outbox WHERE project_id IS NOT NULL "
            "AND dedupe_key NOT LIKE 'seed-failed:%' GROUP BY project_id")).all()
    engine.dispose()
    return Run(len(statements), seconds, Counter({pid: n for pid, n in rows}))


def each_job(url: str) -> dict[str, Run]:
    """Every registered job, each on a fresh copy of the database at `url`."""
    found = {}
    for n, name in enumerate(JOBS):
        with copy_of(url, n) as copy:
            found[name] = run_job(copy, name)
    return found


def main(argv: list[str] | None = None) -> dict[str, tuple[Run, Run]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--items", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        small = each_job(prepared(Path(folder), 20, args.items))
        full = each_job(prepared(Path(folder), args.projects, args.items))
    print(f"Jobs alone, SQLite: statements and ms on 20 and {args.projects} projects "
          "(by set: statements grow with chunks of rows, not per project)")
    print(f"{'job':22} {'20: stmts':>9} {'ms':>8} {'msgs':>6} {'full: stmts':>11} {'ms':>9} "
          f"{'msgs':>7} {'stmts ×':>7}")
    for name in JOBS:
        s, f = small[name], full[name]
        print(f"{name:22} {s.statements:9} {s.seconds * 1000:8.1f} {s.queued.total():6} "
              f"{f.statements:11} {f.seconds * 1000:9.1f} {f.queued.total():7} "
              f"{f.statements / max(1, s.statements):6.2f}×")
    return {name: (small[name], full[name]) for name in JOBS}


if __name__ == "__main__":
    main()
