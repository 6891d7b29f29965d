"""P1's `/tf` while the Friday tick runs in `taskforce run`, beside the same when idle.

One database seeded at `--projects` scale (benchmarks/seed.py), ticked up to Friday
09:05 (the morning sweep done; what those ticks queued counted as delivered); each
scenario starts the real `taskforce run --platform slack` (HTTP mode, configured by its
environment only: one worker process, which does the work after each ack and runs the
scheduler) on a copy of it, its clock pinned
(TASKFORCE_NOW) at the Friday's 17:00, so its first tick runs every project's digest
(then its delivery loop posts them), or at a quiet moment (idle). Its Web API is a
local fake Slack in the client process. Clients in that process send signed `/tf action
list` commands in P1's bound channels, one at a time or 50 at once (each waits for its
answer before the next), from when the server listens until its first tick has ended
(idle: for a fixed time); "tick s" is that tick's jobs' time, from the server's /metrics.
Reported: the HTTP ack's median, p99 and maximum, and when the answer reached the
fake Slack (the list; "busy"; or an error, counted apart).

    python -m benchmarks.ack_during_sweep [--projects 2000] [--url URL] [--smoke]

With `--url` (PostgreSQL, a database of its own named `tf_bench…`), the seeded database
is the template each scenario's copy is made from (CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import re
import statistics
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import update

from benchmarks import processes
from benchmarks.copies import copy_of
from benchmarks.seed import slack_lead
from benchmarks.sweeps import TICKS
from benchmarks.ticks import seed
from bot.clock import Clock
from bot.jobs.registry import JOBS, JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage
from storage.engine import make_engine
from tests.slack_fake import Call, FakeSlack, signed_headers, slash_body, user

CHANNEL = "C0P1"
TEXT = "action list"
FRIDAY = datetime.fromisoformat(TICKS[-1][1])
# a running server had its Friday 09:00 morning sweep hours before the 17:00 digests
BEFORE = [at for _, at in TICKS[:-1]] + ["2026-11-20T09:05:00+08:00"]
QUIET = datetime.fromisoformat("2026-11-20T09:10:00+08:00")  # after the morning: none due
ANSWER_WAIT = 30.0  # a command without an answer after this long counts as lost
TICK_WAIT = 1800.0  # seconds the server's first tick may take
MIN_SECONDS = 0.3  # clients run at least this long during the tick (a tiny tick is short)
STOP = multiprocessing.get_context("fork").Event()  # inherited by the client process


class TimedSlack(FakeSlack):
    """The fake Slack, noting when answers arrive: the list in the channel
    (chat.postMessage), or "busy" or an error to the command's response_url."""

    def __init__(self) -> None:
        super().__init__()
        self.private: dict[int, tuple[float, str]] = {}  # n -> (monotonic, "busy"/"error")
        self.posted: dict[str, tuple[int, float]] = {}  # channel -> (count, monotonic)
        self.arrived = threading.Condition()

    def _record(self, call: Call) -> None:  # answers are counted, not kept
        with self.arrived:
            if call.method == "response_url" and "/cmd" in call.path:
                kind = "busy" if "busy right now" in str(call.args.get("text")) else "error"
                self.private[int(call.path.rsplit("/cmd", 1)[1])] = (time.monotonic(), kind)
            elif call.method == "chat.postMessage" and not _scheduled(call):
                channel = str(call.args.get("channel"))
                count = self.posted.get(channel, (0, 0.0))[0]
                self.posted[channel] = (count + 1, time.monotonic())
            self.arrived.notify_all()

    def count(self, channel: str) -> int:
        with self.arrived:
            return self.posted.get(channel, (0, 0.0))[0]

    def wait_for(self, n: int, channel: str, before: int, timeout: float):
        """(when, "ok"/"busy"/"error") of request `n`'s answer, or None after `timeout`."""
        with self.arrived:
            self.arrived.wait_for(
                lambda: n in self.private or self.posted.get(channel, (0, 0.0))[0] > before, timeout
            )
            if n in self.private:
                return self.private[n]
            count, at = self.posted.get(channel, (0, 0.0))
            return (at, "ok") if count > before else None


def _scheduled(call: Call) -> bool:
    """A progress digest delivered into a client's channel (project P1's), not an answer."""
    return str(call.args.get("text") or "").startswith("📊")


FAKE: TimedSlack | None = None  # in the client process: the fake Slack the bot answers


def start_fake() -> str:
    """In the client process: start the fake Slack; its URL (the bot's Slack API)."""
    global FAKE
    FAKE = TimedSlack().start()
    FAKE.users["U1"] = user("U1", "Bench Lead")
    return FAKE.url


def prepare(url: str, projects: int, channels: int) -> str:
    """Seed; bind P1 to Slack channels (one per client) with a Slack member; tick up to
    the Friday morning."""
    seed(url, projects)
    engine = make_engine(url)
    slack_lead(engine, [f"{CHANNEL}-{i}" for i in range(channels)])
    clock = Clock(datetime.fromisoformat(TICKS[0][1]))
    env = JobEnv(engine, clock, Settings(database_url=url))
    for at in BEFORE:
        clock.set(datetime.fromisoformat(at))
        run_due(env)
    with engine.begin() as conn:  # the week's messages count as delivered: the servers'
        conn.execute(update(OutboxMessage).values(state="sent"))  # loops send only Friday's
    engine.dispose()
    return url


Sample = tuple[float, float | None, str]  # ack s, answer s (None: lost), ok/busy/error


def clients(port: int, start: int, concurrency: int, seconds: float) -> list[Sample]:
    """In the client process: `concurrency` people, each sending a command and waiting
    for its answer before the next, until STOP (or `seconds`)."""
    assert FAKE is not None
    fake = FAKE
    deadline = time.monotonic() + seconds
    counter = iter(range(start, start + 1_000_000))
    lock = threading.Lock()

    def person(i: int) -> list[Sample]:
        channel = f"{CHANNEL}-{i}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out: list[Sample] = []
        while not STOP.is_set() and time.monotonic() < deadline:
            with lock:
                n = next(counter)
            body = urlencode(slash_body(fake, TEXT, "U1", channel, n))
            before = fake.count(channel)
            headers = signed_headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
            sent = time.monotonic()
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ack = time.monotonic() - sent
            if response.status != 200:  # Slack would retry it: counted as lost
                out.append((ack, None, "lost"))
                continue
            answer = fake.wait_for(n, channel, before, ANSWER_WAIT)
            if answer is None:
                out.append((ack, None, "lost"))
            else:
                out.append((ack, answer[0] - sent, answer[1]))
        conn.close()
        return out

    with ThreadPoolExecutor(concurrency) as pool:
        return [row for rows in pool.map(person, range(concurrency)) for row in rows]


@dataclass
class Row:
    name: str
    requests: int
    acks: list[float]
    answers: list[float]
    busy: int
    errors: int
    lost: int
    tick: float | None


def scenario(name: str, base: str, load: Any, slack_url: str, tick: bool, clients_: int,
             idle: float, first: int, folder: Path) -> Row:
    with copy_of(base, first) as url:
        return _serve(name, url, load, slack_url, tick, clients_, idle, first, folder)


def _serve(name: str, url: str, load: Any, slack_url: str, tick: bool, clients_: int,
           idle: float, first: int, folder: Path) -> Row:
    """`taskforce run` on `url`, its clock pinned at the Friday's 17:00 (its first tick,
    in its worker, runs the digests) or at a quiet moment; the clients until that tick
    has ended (and for `idle` seconds at least)."""
    env = processes.slack_env(url, slack_url, now=(FRIDAY if tick else QUIET).isoformat())
    server = processes.taskforce_run(env, folder, f"ack-{first}")
    try:
        server.wait_ready()
        STOP.clear()
        load.apply(clients, (server.port, first, 1, 0.3))  # warm-up: user look-up, pools
        STOP.clear()
        began = time.monotonic()
        pending = load.apply_async(clients, (server.port, first + 1000, clients_, 3600.0))
        seconds = _first_tick(server.port) if tick else None
        time.sleep(max(0.0, began + idle - time.monotonic()))
        STOP.set()
        samples = pending.get()
    finally:
        server.stop()
    return Row(
        name=name,
        requests=len(samples),
        acks=sorted(ack for ack, _, _ in samples),
        answers=sorted(answer for _, answer, _ in samples if answer is not None),
        busy=sum(kind == "busy" for _, _, kind in samples),
        errors=sum(kind == "error" for _, _, kind in samples),
        lost=sum(answer is None for _, answer, _ in samples),
        tick=seconds,
    )


def _first_tick(port: int) -> float:
    """Once the server's first tick has run every job: how long its jobs took (the sum of
    `taskforce_job_seconds` on its /metrics, which its worker reports to)."""
    deadline = time.monotonic() + TICK_WAIT
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            metrics = answer.read().decode()
        counts = re.findall(r'^taskforce_job_seconds_count\{job="([^"]+)"\} (\S+)$', metrics, re.M)
        if {job for job, n in counts if float(n) >= 1} >= set(JOBS):
            sums = re.findall(r'^taskforce_job_seconds_sum\{job="[^"]+"\} (\S+)$', metrics, re.M)
            return sum(float(n) for n in sums)
        time.sleep(0.2)
    raise RuntimeError(f"the server's first tick did not end within {TICK_WAIT:.0f} s")


def _ms(values: list[float]) -> str:
    if not values:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    p99 = values[max(0, int(len(values) * 0.99) - 1)]
    return f"{statistics.median(values) * 1000:8.1f} {p99 * 1000:8.1f} {values[-1] * 1000:8.1f}"


def run(projects: int, concurrency: int, idle: float, url: str | None = None) -> list[Row]:
    load = multiprocessing.get_context("fork").Pool(1)  # before any thread starts
    rows = []
    try:
        slack_url = load.apply(start_fake)
        with tempfile.TemporaryDirectory() as folder:
            base = prepare(url or f"sqlite:///{folder}/ack.db", projects, concurrency)
            plan = [
                ("idle, sequential", False, 1),
                ("Friday tick, sequential", True, 1),
                (f"idle, {concurrency} concurrent", False, concurrency),
                (f"Friday tick, {concurrency} concurrent", True, concurrency),
            ]
            for i, (name, tick, clients_) in enumerate(plan):
                first = (i + 1) * 1_000_000
                rows.append(scenario(name, base, load, slack_url, tick, clients_,
                                     idle if not tick else MIN_SECONDS, first, Path(folder)))
    finally:
        load.close()
        load.join()
    return rows


def report(rows: list[Row], projects: int, kind: str = "sqlite") -> None:
    print(f"P1 `/tf {TEXT}` on {projects} projects ({kind}), through `taskforce run --platform "
          "slack` (the work and the jobs in its worker); tick s: its first tick's jobs")
    print(f"{'':32} {'reqs':>5} | {'ack ms: median':>14} {'p99':>8} {'max':>8} | "
          f"{'answer ms: median':>17} {'p99':>8} {'max':>8} | busy  err lost   tick s")
    for r in rows:
        tick = f"{r.tick:8.1f}" if r.tick is not None else f"{'-':>8}"
        print(f"{r.name:32} {r.requests:5d} | {'':6}{_ms(r.acks)} | {'':9}{_ms(r.answers)} | "
              f"{r.busy:4d} {r.errors:4d} {r.lost:4d} {tick}")


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--url", default=None, help="PostgreSQL: a tf_bench… database")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick (for CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.projects, args.concurrency, args.idle_seconds = 3, 4, 0.3
    rows = run(args.projects, args.concurrency, args.idle_seconds, args.url)
    report(rows, args.projects, "postgresql" if args.url else "sqlite")
    return rows


if __name__ == "__main__":
    main()
