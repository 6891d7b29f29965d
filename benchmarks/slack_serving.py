"""P1: signed `/tf` round trips through `taskforce run --platform slack` (HTTP mode) against
a bare Bolt `AsyncApp` no-op, measured in one run; and P5, the server's peak memory.

Every server is a process of its own on loopback, started in turn, and gets the same
client: another process with 50 keep-alive connections sending the same signed
slash commands (`--requests`, after 50 to warm up). The servers:
  1. floor: a bare `AsyncApp` whose `/tf` listener only acks, served by Bolt's own
     aiohttp server (`app.start()`, benchmarks/bolt_floor.py);
  2. floor, serving: a sync `App` no-op (ack-first) behind taskforce's HTTP serving and
     edge (aiohttp);
  3. taskforce: `taskforce run --platform slack` on the seeded database (`--projects`,
     2,000 by default; SQLite in a temporary folder, or `--url`), configured by its
     environment only (one worker process, the default), its Slack Web API a local fake
     (SLACK_API_URL) in this process. `/tf action list` in a channel bound to a project of
     100 items; the answer is posted after the ack, by the worker, so "done/s" is the rate
     at which answers reached the fake.
The three run in turn, `--rounds` times (on two CPUs, one run of each varies by a third
from round to round); each round's ratios are against that round's floor, and the
summary is their median.
The database has had its catch-up tick (what it queued counted as delivered) and the
server's clock is pinned just after it (TASKFORCE_NOW), so no job runs during the run.
Goals (issue 14): median ≤ 1.3× the floor's, p99 < 100 ms, requests/s ≥ 0.75× the floor's.

    python -m benchmarks.slack_serving [--projects 2000] [--requests 1000] [--rounds 3]
                                       [--url URL]
    python -m benchmarks.slack_serving --smoke     # a few projects and requests (pytest)
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import update

from benchmarks import processes
from benchmarks.seed import slack_lead
from benchmarks.ticks import seed
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage
from storage.engine import make_engine
from tests.slack_fake import FakeSlack, signed_headers, slash_body, user

CHANNEL = "C0BENCH"
CATCH_UP = "2026-11-18T10:00:00+08:00"  # the server's first tick, run here beforehand
PINNED = "2026-11-18T10:05:00+08:00"  # the server's clock: nothing is due then
WARM_UP = 50

Prepared = list[tuple[bytes, dict[str, str]]]


@dataclass
class Row:
    name: str
    requests: int
    rps: float
    median: float  # ms
    p99: float  # ms
    done: float | None  # answers a second that reached the fake Slack
    answered: int
    peak_mb: float  # the server process's peak resident memory (VmHWM)
    workers_mb: float  # what its worker processes hold alone (not shared with it)


def prepare(url: str, projects: int) -> None:
    """Seed; bind a Slack channel to project 1 with a Slack member; the catch-up tick."""
    seed(url, projects)
    engine = make_engine(url)
    slack_lead(engine, [CHANNEL])
    run_due(JobEnv(engine, Clock(datetime.fromisoformat(CATCH_UP)), Settings(database_url=url)))
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).values(state="sent"))
    engine.dispose()


def requests_for(fake: FakeSlack, text: str, first: int, n: int) -> Prepared:
    out = []
    for i in range(first, first + n):
        body = urlencode(slash_body(fake, text, "U1", CHANNEL, i))
        headers = signed_headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
        out.append((body.encode(), headers))
    return out


def hammer(port: int, prepared: Prepared, concurrency: int) -> tuple[list[float], float]:
    """In the client process: `prepared` over `concurrency` keep-alive connections."""
    chunks = [prepared[i::concurrency] for i in range(concurrency)]

    def worker(chunk: Prepared) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies = []
        for body, headers in chunk:
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            latencies.append(time.perf_counter() - started)
        conn.close()
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(worker, chunks))
    elapsed = time.perf_counter() - started
    return sorted(x for r in results for x in r), elapsed


def measure(name: str, server: processes.Server, fake: FakeSlack, text: str,
            args: argparse.Namespace, done: Callable[[], int] | None) -> Row:
    """The warm-up, then the measured requests; with `done`, until every answer arrived."""
    try:
        server.wait_ready()
        clients = multiprocessing.get_context("fork").Pool(1)  # the clients' own process
        base = done() if done else 0
        clients.apply(hammer, (server.port, requests_for(fake, text, 0, WARM_UP), WARM_UP))
        prepared = requests_for(fake, text, WARM_UP, args.requests)
        started = time.perf_counter()
        latencies, elapsed = clients.apply(hammer, (server.port, prepared, args.concurrency))
        clients.close()
        expected = WARM_UP + args.requests
        while done and done() - base < expected and time.perf_counter() - started < 300:
            time.sleep(0.01)
        finished = time.perf_counter() - started
        answered = done() - base - WARM_UP if done else 0
    finally:
        server.stop()
    return Row(
        name,
        len(latencies),
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        answered / finished if done else None,
        answered,
        server.peak_mb,
        server.workers_mb,
    )


def floor(kind: str, fake: FakeSlack, folder: Path) -> processes.Server:
    command = [sys.executable, "-m", "benchmarks.bolt_floor", "--kind", kind,
               "--port", "{port}", "--slack-api", fake.url]
    return processes.start(command, processes.slack_env("sqlite://", fake.url), folder, kind)


def run(args: argparse.Namespace, folder: Path) -> list[list[Row]]:
    """`args.rounds` rounds of the three servers in turn."""
    url = args.url or f"sqlite:///{folder}/p1.db"
    prepare(url, args.projects)
    fake = FakeSlack().start()
    fake.users["U1"] = user("U1", "Bench Lead")
    posted = lambda: len(fake.of("chat.postMessage"))  # noqa: E731
    env = processes.slack_env(url, fake.url, now=PINNED)
    try:
        return [
            [
                measure("floor: bare AsyncApp no-op (aiohttp)", floor("async", fake, folder),
                        fake, "x", args, None),
                measure("floor: sync App no-op on the serving", floor("serving", fake, folder),
                        fake, "x", args, None),
                measure("taskforce run: /tf action list",
                        processes.taskforce_run(env, folder, "tf"),
                        fake, "action list", args, posted),
            ]
            for _ in range(args.rounds)
        ]
    finally:
        fake.stop()


def report(rounds: list[list[Row]], args: argparse.Namespace) -> str:
    lines = [
        f"P1 {args.requests} signed /tf at {args.concurrency} concurrent keep-alive clients "
        f"(another process), {args.projects} projects ({'PostgreSQL' if args.url else 'SQLite'}), "
        f"{len(rounds)} round(s); goal: median ≤ 1.3×, p99 < 100 ms, req/s ≥ 0.75× the "
        "AsyncApp floor",
        f"{'server (each its own process)':38} {'req/s':>7} {'median ms':>9} {'p99 ms':>7} "
        f"{'median×':>8} {'req/s×':>7} {'done/s':>7} {'peak MB':>8}",
    ]
    for n, rows in enumerate(rounds, 1):
        base = rows[0]
        lines.append(f"round {n}")
        for row in rows:
            done = f"{row.done:.0f}" if row.done is not None else "-"
            lines.append(
                f"{row.name:38} {row.rps:7.0f} {row.median:9.1f} {row.p99:7.1f} "
                f"{row.median / base.median:8.2f} {row.rps / base.rps:7.2f} {done:>7} "
                f"{row.peak_mb:8.0f}"
            )
    tf = [rows[-1] for rows in rounds]
    median_ratio = statistics.median(r[-1].median / r[0].median for r in rounds)
    rps_ratio = statistics.median(r[-1].rps / r[0].rps for r in rounds)
    p99 = statistics.median(row.p99 for row in tf)
    lines.append(
        f"taskforce run against the AsyncApp floor, median of {len(rounds)} round(s): "
        f"median {median_ratio:.2f}×, p99 {p99:.0f} ms, req/s {rps_ratio:.2f}×"
    )
    answered = sum(row.answered for row in tf)
    serving, alone = max(r.peak_mb for r in tf), max(r.workers_mb for r in tf)
    lines.append(
        f"answers that reached the fake Slack: {answered} of {sum(r.requests for r in tf)}; "
        f"P5 peak resident memory of `taskforce run`: {serving + alone:.0f} MB (the serving "
        f"process's peak {serving:.0f} MB + {alone:.0f} MB its worker holds alone)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[list[Row]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="a PostgreSQL database of its own (tf_bench…)")
    parser.add_argument("--smoke", action="store_true", help="a few projects and requests")
    args = parser.parse_args(argv)
    if args.smoke:
        args.projects, args.requests, args.concurrency, args.rounds = 4, 40, 4, 1
    with tempfile.TemporaryDirectory() as folder:
        rows = run(args, Path(folder))
    print(report(rows, args), flush=True)
    return rows


if __name__ == "__main__":
    main()
