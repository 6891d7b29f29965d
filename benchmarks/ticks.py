"""P3: scheduled ticks against their floor, in one run (and P5's tick memory).

    python -m benchmarks.ticks [--projects 2000] [--url URL] [--closed-factor 10]

Seeds a database (`python -m benchmarks.seed` in a subprocess, so this process's
peak memory is the ticks' own), runs the week's jobs up to Friday 09:05 in another
subprocess (what they queued counted as delivered), then
measures, each tick = every due job plus delivery of what it queued to the console
sender (`bot.tick.tick`):

- floor: reading every item row once (`SELECT` of all action items, as objects);
- the Friday 17:00 tick (the digests of every project) and a quiet tick after it;
- with `--closed-factor N`, the same again on a database whose done and cancelled
  items are N times as many: the Friday tick may grow by at most 1.2×.

Without `--url`, a SQLite file in a temporary folder. A PostgreSQL URL must name a
database of its own whose name starts with `tf_bench`: its schema is dropped first.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.outbox.console import ConsoleSender
from bot.settings import Settings
from bot.tick import tick
from storage.delivery_tables import OutboxMessage
from storage.engine import make_engine, reading
from storage.models import ActionItem

WEEK = ["2026-11-18T10:00", "2026-11-19T09:00", "2026-11-20T09:00", "2026-11-20T09:05"]
FRIDAY = "2026-11-20T17:00"
QUIET = "2026-11-20T17:05"
ZONE = "+08:00"


class Discard:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


@dataclass
class TickFigures:
    floor_s: float
    friday_s: float
    friday_msgs: int
    quiet_s: float
    items: int
    peak_mb: float = 0.0  # the process's peak resident memory after the two ticks
    week_mb: float = 0.0  # the week's process's: its first tick is every job's catch-up


def fresh(url: str) -> None:
    """An empty PostgreSQL schema for the benchmark (only a `tf_bench*` database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    if not (parsed.database or "").startswith("tf_bench"):
        raise SystemExit("a PostgreSQL benchmark database must be named tf_bench…")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed(url: str, projects: int, closed_factor: int = 1) -> float:
    """Seed through the CLI in a subprocess; its wall time. Then, on PostgreSQL, the
    database settles as a live one is: vacuumed and analysed (autovacuum would start on
    the loaded tables in the middle of the measurements) and its loaded pages written
    out (a checkpoint, which would otherwise write them during the measurements)."""
    fresh(url)
    start = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.seed", "--projects", str(projects),
               "--url", url, "--closed-factor", str(closed_factor)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    engine = make_engine(url)
    analyze(engine, "VACUUM ANALYZE")
    analyze(engine, "CHECKPOINT")
    engine.dispose()
    return seconds


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment + ZONE)


def timed_tick(engine: Engine, clock: Clock, settings: Settings, moment: str) -> tuple[float, int]:
    clock.set(at(moment))
    start = time.perf_counter()
    report = tick(engine, clock, settings, {"console": ConsoleSender(Discard())})
    return time.perf_counter() - start, len(report.sent)


def read_all_items(engine: Engine) -> tuple[float, int]:
    start = time.perf_counter()
    with reading(engine) as db:
        count = len(db.exec(select(ActionItem)).all())
    return time.perf_counter() - start, count


def week(url: str) -> None:
    """The week's jobs up to Friday 09:05, what they queued counted as delivered."""
    engine = make_engine(url)
    clock = Clock(at(WEEK[0]))
    settings = Settings(database_url=url)
    for moment in WEEK:
        clock.set(at(moment))
        run_due(JobEnv(engine, clock, settings))
    print(f"{peak_mb():.1f}")  # the ticks' peak, before the bulk update below
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).values(state="sent"))
    analyze(engine, "VACUUM ANALYZE")  # what autovacuum does over a real week's days
    engine.dispose()


def analyze(engine: Engine, statement: str = "ANALYZE") -> None:
    """On PostgreSQL, the planner's statistics (and with VACUUM the dead row versions
    cleared) as autovacuum keeps them on a live database: without them a freshly loaded
    table is planned as empty (`agenda show` scanned the week's items of every project,
    4 ms instead of 0.1 ms), and the week's 70,000 outbox rows marked sent at once left
    as many dead index entries for each quiet tick's claim to visit (10 ms)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(statement))


def measure(url: str) -> TickFigures:
    """The week in a subprocess (its memory is not the tick's); then the Friday tick, a
    quiet tick, this process's peak memory so far, and last the floor."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.ticks", "--week-of", url],
                          check=True, capture_output=True, text=True)
    week_mb = float(done.stdout.split()[-1])
    engine = make_engine(url)
    clock = Clock(at(FRIDAY))
    settings = Settings(database_url=url)
    friday, sent = timed_tick(engine, clock, settings, FRIDAY)
    quiet, _ = timed_tick(engine, clock, settings, QUIET)
    peak = peak_mb()
    floor, count = read_all_items(engine)
    engine.dispose()
    return TickFigures(floor, friday, sent, quiet, count, peak, week_mb)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict[str, TickFigures]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--closed-factor", type=int, default=1)
    parser.add_argument("--week-of", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.week_of:
        week(args.week_of)
        return {}
    results: dict[str, TickFigures] = {}
    with tempfile.TemporaryDirectory() as folder:
        factors = [1] + ([args.closed_factor] if args.closed_factor > 1 else [])
        for factor in factors:
            url = args.url or f"sqlite:///{Path(folder)}/ticks-{factor}.db"
            seconds = seed(url, args.projects, factor)
            print(f"seeded {args.projects} projects (closed ×{factor}) in {seconds:.1f} s",
                  flush=True)
            results[f"closed ×{factor}"] = r = measure(url)
            print(f"  floor {r.floor_s:.2f} s ({r.items:,} items); Friday tick {r.friday_s:.2f} s "
                  f"({r.friday_msgs} sent); quiet tick {r.quiet_s * 1000:.1f} ms", flush=True)
    kind = make_url(args.url).get_backend_name() if args.url else "sqlite"
    print(f"P3 ticks, {args.projects} projects, {kind} (each: jobs + delivery to console)")
    print(f"{'database':14} {'items':>9} {'floor s':>8} {'Friday s':>9} {'msgs':>6} "
          f"{'ratio':>6} {'quiet ms':>9}")
    for name, r in results.items():
        print(f"{name:14} {r.items:9,} {r.floor_s:8.2f} {r.friday_s:9.2f} {r.friday_msgs:6} "
              f"{r.friday_s / r.floor_s:5.1f}× {r.quiet_s * 1000:9.1f}")
    if len(results) == 2:
        base, grown = results.values()
        print(f"Friday tick with closed ×{args.closed_factor}: "
              f"{grown.friday_s / base.friday_s:.2f}× the base (goal ≤ 1.2×)")
    # ru_maxrss only grows: the first database's ticks ran before any floor's read
    first = next(iter(results.values()))
    print(f"P5 peak resident memory of the ticking process: {first.peak_mb:.0f} MB "
          f"(after the floor's read of every item: {peak_mb():.0f} MB)")
    print(f"P5 peak resident memory of the week's ticks: {first.week_mb:.0f} MB (the first "
          "of them every job's catch-up over every project)")
    return results


if __name__ == "__main__":
    main()
