"""P2: command cost against database size — each command's p50/p99 on a 20-project and
a full-size database in the same run; the ratio (full / small) should stay near 1 when
a command costs in proportion to what it returns, not to history.

    python -m benchmarks.run [--projects 2000] [--url-small URL --url URL]

Without URLs, SQLite files in a temporary folder; with them (PostgreSQL), two databases
of their own named `tf_bench…` (their schema is dropped and seeded first).
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from pathlib import Path

import bot.handlers  # noqa: F401  (registers the commands)
from benchmarks.seed import NOW
from benchmarks.ticks import seed
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.settings import Settings
from bot.warmup import warm
from storage.engine import make_engine

COMMANDS = [  # (text, in a DM) — u31 is the process owner of P4 (with a meeting slot), in c4
    ("action list mine", True),
    ("action list overdue", False),
    ('action add "bench item" owner @u32 due 2026-12-01', False),
    ("status", False),
    ("agenda show", False),
    ("escalation list", False),
    ("quiz status q4", False),
    ("review list", False),
]
REPEAT = 300  # runs of each command: its p99 is then the 297th of 300, not the slowest

Figures = dict[str, tuple[float, float]]  # command -> (p50 s, p99 s)


def _time(dispatcher: Dispatcher, text: str, dm: bool, repeat: int) -> tuple[float, float]:
    inbound = Inbound(platform="console", user_id="u31", user_name="u31", text=text,
                      channel_id="dm:u31" if dm else "c4", is_dm=dm)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        replies = dispatcher.handle(inbound)
        samples.append(time.perf_counter() - start)
        assert replies[0].template != "error", (text, replies[0].data)
    samples.sort()
    return statistics.median(samples), samples[math.ceil(len(samples) * 0.99) - 1]


def measure(url: str, repeat: int = REPEAT) -> Figures:
    engine = make_engine(url)
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=url))
    warm(dispatcher)  # what `taskforce run` does at start-up (bot/warmup.py)
    found = {text: _time(dispatcher, text, dm, repeat) for text, dm in COMMANDS}
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> tuple[Figures, Figures]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--url-small", default=None)
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        small_url = args.url_small or f"sqlite:///{Path(folder)}/small.db"
        full_url = args.url or f"sqlite:///{Path(folder)}/full.db"
        seed(small_url, 20)
        seed(full_url, args.projects)
        small, full = measure(small_url, args.repeat), measure(full_url, args.repeat)
    kind = "postgresql" if full_url.startswith("postgresql") else "sqlite"
    print(f"P2 commands, {kind}: p50 / p99 ms on 20 and {args.projects} projects "
          "(goal: p99 ≤ 10 ms, large ≤ 1.2× small)")
    print(f"{'command':50} {'20: p50':>8} {'p99':>7} {'full: p50':>10} {'p99':>7} {'ratio':>6}")
    for text, _ in COMMANDS:
        (s50, s99), (f50, f99) = small[text], full[text]
        print(f"{text:50} {s50 * 1000:8.2f} {s99 * 1000:7.2f} {f50 * 1000:10.2f} "
              f"{f99 * 1000:7.2f} {f50 / s50:5.2f}×")
    return small, full


if __name__ == "__main__":
    main()
