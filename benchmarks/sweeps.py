"""Scheduled sweeps against database size, in one run: the same ticks on 20 and on
2,000 projects (200,000 items). A quiet tick should cost the same at both sizes;
the 09:00 sweep and the Friday digests cost in proportion to what is due (shown
per queued message), not to the items' history.

    python -m benchmarks.sweeps [--projects 2000]
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from benchmarks.seed import seeded, small_and_full
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings

# the seed's items fall due around 2026-11-18; its projects were created then (digests: Fridays)
TICKS = [
    ("first tick (catch-up)", "2026-11-18T10:00:00+08:00"),
    ("quiet tick", "2026-11-18T10:05:00+08:00"),
    ("09:00 sweep", "2026-11-19T09:00:00+08:00"),
    ("quiet tick", "2026-11-19T09:05:00+08:00"),
    ("Friday digests", "2026-11-20T17:00:00+08:00"),
]


def measure(projects: int, folder: Path) -> list[tuple[str, float, int]]:
    url, engine = seeded(folder, projects, "sweeps")
    clock = Clock(datetime.fromisoformat(TICKS[0][1]))
    env = JobEnv(engine, clock, Settings(database_url=url))
    results = []
    for name, at in TICKS:
        clock.set(datetime.fromisoformat(at))
        start = time.perf_counter()
        queued = sum(run_due(env).values())
        results.append((name, time.perf_counter() - start, queued))
    engine.dispose()
    return results


def main() -> None:
    small, full, projects = small_and_full(measure)
    print(f"{'tick':22} {'20 projects':>22} {f'{projects} projects':>24} {'ratio/msg':>10}")
    for (name, t_small, n_small), (_, t_full, n_full) in zip(small, full, strict=True):
        per_small = t_small / max(n_small, 1)
        per_full = t_full / max(n_full, 1)
        print(
            f"{name:22} {t_small * 1000:9.1f}ms {n_small:6d} msgs "
            f"{t_full * 1000:11.1f}ms {n_full:6d} msgs {per_full / per_small:10.2f}"
        )


if __name__ == "__main__":
    main()
