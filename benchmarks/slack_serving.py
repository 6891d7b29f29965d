"""Serving `/tf` on waitress against Bolt's no-op floor, measured in one run.

Signed slash commands from 50 concurrent keep-alive clients into:
  1. floor: a sync Bolt App whose listener only calls ack() (Bolt's default mode,
     which polls for the ack every 10 ms), behind the same waitress server;
  2. floor, ack-first: the same no-op with process_before_response=True (no polling);
  3. taskforce: the real adapter (`build_app`) on a migrated SQLite database, running
     `action list` in a bound channel; the work runs after the ack, and its replies go
     to a local fake Slack Web API, so "done/s" is the rate at which answers reached it.
Reports requests/s, median and p99 of the HTTP round trip, and ratios to the floor.

    python -m benchmarks.slack_serving [--requests 2000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from slack_bolt import App
from slack_sdk import WebClient

from bot.adapters.slack import HttpServing, build_app
from bot.messages import Inbound
from bot.runtime import build
from bot.settings import Settings
from tests.slack_fake import BOT_TOKEN, SECRET, FakeSlack, signed_headers, slash_body, user

CHANNEL = "C0BENCH"


def requests_for(fake: FakeSlack, text: str, n: int) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for i in range(n):
        body = urlencode(slash_body(fake, text, "U1", CHANNEL, i))
        headers = signed_headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
        out.append((body.encode(), headers))
    return out


def hammer(port: int, prepared: list[tuple[bytes, dict[str, str]]], concurrency: int):
    chunks = [prepared[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[tuple[bytes, dict[str, str]]]) -> list[float]:
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


def measure(name: str, app: App, fake: FakeSlack, text: str, args, done: Callable[[], int] | None):
    waiting = done is not None
    done = done or (lambda: 0)
    serving = HttpServing(app, SECRET, host="127.0.0.1", port=0).start()
    try:
        load = multiprocessing.get_context("fork").Pool(1)  # clients: their own process
        base = done()
        warm_up = requests_for(fake, text, 50)
        load.apply(hammer, (serving.port, warm_up, args.concurrency))
        prepared = requests_for(fake, text, args.requests)
        started = time.perf_counter()
        latencies, elapsed = load.apply(hammer, (serving.port, prepared, args.concurrency))
        load.close()
        # every answer (warm-up's too) has reached the fake Slack before the clock stops
        while (
            waiting and done() - base < 50 + args.requests and time.perf_counter() - started < 300
        ):
            time.sleep(0.01)
        finished = time.perf_counter() - started
        answered = done() - base - 50
    finally:
        serving.stop()
    return {
        "name": name,
        "rps": len(latencies) / elapsed,
        "median": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "done": answered / finished if answered > 0 else None,
    }


def noop_app(fake: FakeSlack, ack_first: bool) -> App:
    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    app = App(client=client, signing_secret=SECRET, process_before_response=ack_first)

    @app.command("/tf")
    def noop(ack) -> None:  # noqa: ANN001
        ack()

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N"
    fake = FakeSlack().start()
    fake.users["U1"] = user("U1", "Bench Lead")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SECRET,
            slack_app_token=None,
            slack_api_url=fake.url,
        )
        runtime = build(settings)
        for line in ['project create "Bench" key BE', "member add <@U1|bench> dept Ops"]:
            runtime.dispatcher.handle(Inbound("slack", "U1", line, CHANNEL, user_name="Bench"))
        for n in range(5):
            line = f'action add "Item {n}" owner <@U1|bench> due +{n + 1}d'
            runtime.dispatcher.handle(Inbound("slack", "U1", line, CHANNEL, user_name="Bench"))
        posted = lambda: len(fake.of("chat.postMessage"))  # noqa: E731
        rows = [
            measure("floor: no-op, Bolt default ack", noop_app(fake, False), fake, "x", args, None),
            measure("floor: no-op, ack-first", noop_app(fake, True), fake, "x", args, None),
            measure(
                "taskforce: /tf action list", build_app(runtime), fake, "action list", args, posted
            ),
        ]
        runtime.engine.dispose()
    fake.stop()
    floor = rows[0]
    print(
        f"{args.requests} signed slash commands, {args.concurrency} concurrent keep-alive "
        "clients (another process), waitress 16 threads; the fake Slack shares the bot's process"
    )
    print(f"{'':38} {'req/s':>8} {'median ms':>10} {'p99 ms':>8} {'x floor':>8} {'done/s':>8}")
    for row in rows:
        done = f"{row['done']:.0f}" if row["done"] else "-"
        print(
            f"{row['name']:38} {row['rps']:8.0f} {row['median']:10.1f} {row['p99']:8.1f} "
            f"{row['rps'] / floor['rps']:8.2f} {done:>8}"
        )


if __name__ == "__main__":
    main()
