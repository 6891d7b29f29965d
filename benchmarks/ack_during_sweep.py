"""P1's `/tf` while the Friday tick runs in the serving process, beside the same when idle.

One database seeded at `--projects` scale (benchmarks/seed.py), ticked up to Friday
09:05 (the morning sweep done); each scenario serves a copy of it with the real Bolt
app on its HTTP serving (`build_app`, `HttpServing`; the work after the ack on its
threads), its Web API answered by a local fake Slack in the client process. Clients
in another process send signed `/tf action list` commands in P1's bound channels, one
at a time or 50 at once (each waits for its answer before the next), for as long as
the Friday 17:00 tick (every project's digest, `run_due`) runs in a thread of the
serving process (idle: for a fixed time).
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
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from benchmarks.copies import copy_of
from benchmarks.seed import slack_lead
from benchmarks.sweeps import TICKS
from benchmarks.ticks import seed
from bot.adapters.slack import HttpServing, build_app
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.runtime import build
from bot.settings import Settings
from storage.engine import make_engine
from tests.slack_fake import BOT_TOKEN, SECRET, Call, FakeSlack, signed_headers, slash_body, user

CHANNEL = "C0P1"
TEXT = "action list"
FRIDAY = datetime.fromisoformat(TICKS[-1][1])
# a running server had its Friday 09:00 morning sweep hours before the 17:00 digests
BEFORE = [at for _, at in TICKS[:-1]] + ["2026-11-20T09:05:00+08:00"]
ANSWER_WAIT = 30.0  # a command without an answer after this long counts as lost
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
            elif call.method == "chat.postMessage":
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
             idle: float, first: int) -> Row:
    with copy_of(base, first) as url:
        return _serve(name, url, load, slack_url, tick, clients_, idle, first)


def _serve(name: str, url: str, load: Any, slack_url: str, tick: bool, clients_: int,
           idle: float, first: int) -> Row:
    settings = Settings(
        database_url=url,
        now=FRIDAY,
        locale=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_app_token=None,
        slack_api_url=slack_url,
    )
    runtime = build(settings, migrate=False)
    serving = HttpServing(build_app(runtime), SECRET, host="127.0.0.1", port=0).start()
    tick_seconds: list[float] = []

    def friday() -> None:
        began = time.perf_counter()
        try:
            run_due(JobEnv(runtime.engine, runtime.clock, settings))
        finally:
            tick_seconds.append(time.perf_counter() - began)
            STOP.set()

    try:
        STOP.clear()
        load.apply(clients, (serving.port, first, 1, 0.3))  # warm-up: user look-up, pools
        STOP.clear()
        pending = load.apply_async(clients, (serving.port, first + 1000, clients_, 3600.0))
        if tick:
            sweep = threading.Thread(target=friday)
            sweep.start()
            sweep.join()
        else:
            time.sleep(idle)
            STOP.set()
        samples = pending.get()
    finally:
        serving.stop()
        runtime.engine.dispose()
    return Row(
        name=name,
        requests=len(samples),
        acks=sorted(ack for ack, _, _ in samples),
        answers=sorted(answer for _, answer, _ in samples if answer is not None),
        busy=sum(kind == "busy" for _, _, kind in samples),
        errors=sum(kind == "error" for _, _, kind in samples),
        lost=sum(answer is None for _, answer, _ in samples),
        tick=tick_seconds[0] if tick_seconds else None,
    )


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
                rows.append(scenario(name, base, load, slack_url, tick, clients_, idle, first))
    finally:
        load.close()
        load.join()
    return rows


def report(rows: list[Row], projects: int, kind: str = "sqlite") -> None:
    print(f"P1 `/tf {TEXT}` on {projects} projects ({kind}), acked by HttpServing (aiohttp)")
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
