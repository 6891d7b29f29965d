"""P2: command cost against database size — each command's p50/p99 on a 20-project and
a full-size database in the same run; the ratio (full / small) should stay near 1 when
a command costs in proportion to what it returns, not to history.

    python -m benchmarks.run [--projects 2000] [--url-small URL --url URL] [--rounds 3]

Without URLs, SQLite files in a temporary folder; with them (PostgreSQL), two databases
of their own named `tf_bench…` (their schema is dropped and seeded first).

Each size is measured in `--rounds` fresh processes, small and full taking turns, each
on a fresh copy of its seeded database (so no round sees another's `action add`s), and
the samples of all rounds are pooled for p50 and p99. One process's runs agree with each
other, but two processes on the same database may differ by a third (memory layout), and
a busy spell of the machine may slow one process: with one process a size, the ratio
carried that spread. The ratio is the median of the rounds' own (listed last).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.copies import copy_of
from benchmarks.ticks import seed

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
REPEAT = 300  # runs of each command in each process
ROUNDS = 3

Samples = dict[str, list[float]]  # command -> seconds of each run
Figures = dict[str, tuple[float, float]]  # command -> (p50 s, p99 s)


def samples(url: str, repeat: int) -> Samples:
    """In this process: start as `taskforce run` does (bot/warmup.py), then time each
    command `repeat` times."""
    import bot.handlers  # noqa: F401  (registers the commands)
    from benchmarks.seed import NOW
    from bot.clock import Clock
    from bot.dispatch import Dispatcher
    from bot.messages import Inbound
    from bot.settings import Settings
    from bot.warmup import warm
    from storage.engine import make_engine

    engine = make_engine(url)
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=url))
    warm(dispatcher)
    found: Samples = {}
    for text, dm in COMMANDS:
        inbound = Inbound(platform="console", user_id="u31", user_name="u31", text=text,
                          channel_id="dm:u31" if dm else "c4", is_dm=dm)
        found[text] = []
        for _ in range(repeat):
            start = time.perf_counter()
            replies = dispatcher.handle(inbound)
            found[text].append(time.perf_counter() - start)
            assert replies[0].template != "error", (text, replies[0].data)
    engine.dispose()
    return found


def in_fresh_process(url: str, repeat: int) -> Samples:
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--measure", url,
                           "--repeat", str(repeat)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def p50_p99(runs: list[float]) -> tuple[float, float]:
    ordered = sorted(runs)
    return statistics.median(ordered), ordered[math.ceil(len(ordered) * 0.99) - 1]


def measure(small_url: str, full_url: str, rounds: int, repeat: int
            ) -> tuple[list[Samples], list[Samples]]:
    """Each size `rounds` times, taking turns, each round on a fresh copy."""
    small: list[Samples] = []
    full: list[Samples] = []
    for n in range(rounds):
        for url, into in [(small_url, small), (full_url, full)][:: 1 if n % 2 == 0 else -1]:
            with copy_of(url, n) as copy:
                into.append(in_fresh_process(copy, repeat))
    return small, full


def pooled(rounds: list[Samples]) -> Figures:
    return {text: p50_p99([t for found in rounds for t in found[text]]) for text, _ in COMMANDS}


def report(kind: str, projects: int, small: list[Samples], full: list[Samples]) -> None:
    print(f"P2 commands, {kind}: p50 / p99 ms on 20 and {projects} projects, the runs of "
          f"{len(full)} round(s) pooled; ratio: the median of the rounds' (goal: p99 ≤ 10 ms, "
          "large ≤ 1.2× small)")
    print(f"{'command':50} {'20: p50':>8} {'p99':>7} {'full: p50':>10} {'p99':>7} {'ratio':>6}"
          "  each round")
    small_fig, full_fig = pooled(small), pooled(full)
    for text, _ in COMMANDS:
        (s50, s99), (f50, f99) = small_fig[text], full_fig[text]
        each = ratios(small, full, text)
        print(f"{text:50} {s50 * 1000:8.2f} {s99 * 1000:7.2f} {f50 * 1000:10.2f} "
              f"{f99 * 1000:7.2f} {statistics.median(each):5.2f}×  "
              + " ".join(f"{r:.2f}" for r in each))


def ratios(small: list[Samples], full: list[Samples], text: str) -> list[float]:
    """Each round's full / small p50: a round whose processes met a busy spell of the
    machine moves its own ratio, and the median of the rounds' leaves it out, as P1's
    median of rounds does."""
    return [statistics.median(f[text]) / statistics.median(s[text])
            for s, f in zip(small, full, strict=True)]


def main(argv: list[str] | None = None) -> tuple[Figures, Figures]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--url-small", default=None)
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)  # one process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(samples(args.measure, args.repeat)))
        return {}, {}
    with tempfile.TemporaryDirectory() as folder:
        small_url = args.url_small or f"sqlite:///{Path(folder)}/small.db"
        full_url = args.url or f"sqlite:///{Path(folder)}/full.db"
        seed(small_url, 20)
        seed(full_url, args.projects)
        small, full = measure(small_url, full_url, args.rounds, args.repeat)
    report("postgresql" if full_url.startswith("postgresql") else "sqlite", args.projects,
           small, full)
    return pooled(small), pooled(full)


if __name__ == "__main__":
    main()
