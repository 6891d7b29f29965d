"""`make bench`: every benchmark in one run, each in its own process, with the machine
described, the load average beside each, and each process's peak resident memory (P5).

    python -m benchmarks.all [--projects 2000] [--pg-url URL] [--smoke]

`--pg-url` names a PostgreSQL database of the benchmarks' own (`tf_bench…`; a second one,
`<name>_small`, holds the 20-project database of P2): the PostgreSQL rows are measured
there; without it they are left out. A full run's output goes to benchmarks/last-run.txt
and replaces the "Latest `make bench`" section of benchmarks/RESULTS.md (between its
markers); the write-up around it (before/after lines of each fix) is kept.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

OUT = Path(__file__).with_name("last-run.txt")
RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"
MEMORY_GOAL_MB = 150


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    return (f"{os.cpu_count()} CPUs ({model}), {int(memory) // 1024 ** 2} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def splice(document: str, run: str) -> str:
    """`document` with the text between its make-bench markers replaced by `run` (the
    markers and section added after the first heading when missing)."""
    block = f"{START}\n## Latest `make bench`\n\n```\n{run.strip()}\n```\n{END}"
    if START in document and END in document:
        head, rest = document.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    title, _, body = document.partition("\n")
    return f"{title}\n\n{block}\n{body}"


def memory_summary(log: list[str]) -> list[str]:
    """P5: the peak memory each benchmark printed for `taskforce run` and for the ticking
    process, gathered from the run's output (a benchmark process's own peak, printed after
    each step, also holds its seeding, clients and floors)."""
    lines = [f"\n=== P5 peak resident memory (goal ≤ {MEMORY_GOAL_MB} MB)"]
    title = ""
    for chunk in log:
        for line in chunk.splitlines():
            if line.startswith("=== "):
                title = line[4:].split(" (load average")[0]
            elif "P5 peak resident memory" in line:
                after = line.split("(")[0].split(":")[-1]  # "149, 147 MB (after …)"
                figures = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", after)]
                mark = "ok  " if figures and max(figures) <= MEMORY_GOAL_MB else "OVER"
                lines.append(f"{mark}  {title}: {line.strip()}")
    return lines


def step(title: str, args: list[str], log: list[str]) -> int:
    """Run one benchmark module; print its output, time, load and peak memory."""
    header = f"\n=== {title} ({load()} at start)"
    print(header, flush=True)
    log.append(header)
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)  # (not child.wait(): its memory, too)
    child.returncode = os.waitstatus_to_exitcode(status)
    footer = (f"--- {time.perf_counter() - start:.0f} s, exit {child.returncode}, "
              f"peak resident memory {usage.ru_maxrss / 1024:.0f} MB, {load()} at end")
    print(output + footer, flush=True)
    log.extend([output, footer])
    return child.returncode


def plan(projects: int, pg_url: str | None, smoke: bool) -> list[tuple[str, list[str]]]:
    n = str(projects)
    steps = [
        ("P1 /tf through `taskforce run --platform slack` against a bare Bolt AsyncApp, SQLite",
         ["benchmarks.slack_serving"] + (["--smoke"] if smoke else ["--projects", n])),
        ("P2 commands, SQLite", ["benchmarks.run", "--projects", n]
         + (["--repeat", "2"] if smoke else [])),
        ("P3 ticks, SQLite", ["benchmarks.ticks", "--projects", n, "--closed-factor", "10"]),
        ("P3 each job alone, SQLite: statements at 20 and N projects",
         ["benchmarks.jobs", "--projects", n]),
        ("P4 delivery at the platforms' limits, one loop, SQLite", ["benchmarks.delivery"]
         + (["--smoke"] if smoke else ["--projects", n])),
        ("issue 16: ack during the Friday tick, SQLite",
         ["benchmarks.ack_during_sweep"] + (["--smoke"] if smoke else ["--projects", n])),
    ]
    if pg_url:
        small = make_url(pg_url)
        small_url = small.set(database=f"{small.database}_small").render_as_string(False)
        steps += [
            ("P2 commands, PostgreSQL", ["benchmarks.run", "--projects", n, "--url-small",
                                         small_url, "--url", pg_url]
             + (["--repeat", "2"] if smoke else [])),
            ("P3 ticks, PostgreSQL", ["benchmarks.ticks", "--projects", n, "--url", pg_url]),
            ("P4 delivery to Slack by two `taskforce run` replicas, PostgreSQL",
             ["benchmarks.delivery", "--platform", "slack", "--replicas", "2", "--url", pg_url]
             + (["--smoke"] if smoke else ["--projects", n])),
            ("issue 16: ack during the Friday tick, PostgreSQL",
             ["benchmarks.ack_during_sweep", "--url", pg_url]
             + (["--smoke"] if smoke else ["--projects", n])),
        ]
    return steps


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--pg-url", default=os.environ.get("TASKFORCE_BENCH_POSTGRES_URL"))
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: the CI smoke run")
    args = parser.parse_args(argv)
    projects = 4 if args.smoke else args.projects  # P2 acts in P4
    log = [f"Machine: {machine()}", f"Started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]
    print("\n".join(log), flush=True)
    failed = 0
    for title, module_args in plan(projects, args.pg_url, args.smoke):
        failed += step(title, module_args, log) != 0
    summary = memory_summary(log)
    print("\n".join(summary), flush=True)
    log += summary
    if not args.smoke:
        OUT.write_text("\n".join(log) + "\n")
        RESULTS.write_text(splice(RESULTS.read_text(), "\n".join(log)))
    if failed:
        raise SystemExit(f"{failed} benchmark(s) failed")
    return log


if __name__ == "__main__":
    main()
