"""P4: a Friday's messages at scale, delivered against local fakes that enforce the
platforms' limits (benchmarks/fake_platforms.py): Slack ~1 message/s per channel and
a workspace burst limit (429 + Retry-After), DingTalk 20 posts/min per group.

The seed (benchmarks/seed.py) is bound to the platform, the week up to Friday 09:05 is
ticked and counted as delivered, then Friday's 17:00 tick (the 2,000 digests, one per
channel: the issue's P4) queues what the benchmark delivers with the real sender and
delivery loop. (The 09:00 sweep is left out since the seed gained every feature's rows:
its DMs to the seed's ten department heads, thousands each at Slack's 1 a second per
conversation, would make the run last over an hour.) Printed:
what was queued, the delivery time against the floor the limits allow, lost,
doubled, and the share of requests answered 429 (or DingTalk's QpmLimit).

    python -m benchmarks.delivery [--projects 2000] [--platform slack|dingtalk|both]
    python -m benchmarks.delivery --smoke      # a few projects, seconds (pytest runs it)

`--url` seeds that database instead of a SQLite file (PostgreSQL: a database of its own
named `tf_bench…`; its schema is dropped). `--replicas N` (Slack) delivers through N
`taskforce run` processes sharing the database (benchmarks/replicas.py) instead of
one delivery loop in this process; their peak resident memory is printed (P5).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text, update
from sqlalchemy.engine import Engine

from benchmarks import replicas
from benchmarks.fake_platforms import LimitedDingTalk, LimitedSlack
from benchmarks.seed import seeded
from benchmarks.ticks import seed
from bot.clock import Clock
from bot.delivery import Sender
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.outbox.loop import DeliveryLoop
from bot.outbox.pacing import RetryPolicy
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage
from storage.engine import make_engine

WEEK = ["2026-11-18T10:00:00+08:00", "2026-11-19T09:00:00+08:00",  # delivered before
        "2026-11-20T09:00:00+08:00", "2026-11-20T09:05:00+08:00"]
FRIDAY = "2026-11-20T17:00:00+08:00"  # the digests
WORKERS = 1  # sending threads: on SQLite more only contend for its write lock
BATCH = 50  # rows per claim


@dataclass
class Result:
    platform: str
    projects: int
    queued: Counter
    tick_seconds: float
    seconds: float
    floor: float
    sent: int
    lost: int
    doubled: int
    requests: int
    refused: int
    replicas: int = 0  # 0: one delivery loop in the benchmark's process
    peaks_mb: list[float] = field(default_factory=list)  # each replica's peak memory
    refused_by: dict[str, int] = field(default_factory=dict)  # Slack: which limit refused


def _bind(engine: Engine, platform: str) -> None:
    """The seeded console people and channels, as the platform's users and channels."""
    user, channel = ("U", "C") if platform == "slack" else ("staff", "cid")
    with engine.begin() as conn:
        people = f"UPDATE person SET platform = :p, user_id = '{user}' || id"
        channels = (
            f"UPDATE channelbinding SET platform = :p, channel_id = '{channel}' || project_id"
        )
        conn.execute(text(people), {"p": platform})
        conn.execute(text(channels), {"p": platform})


def _friday(url: str, engine: Engine) -> tuple[Counter, float, dict[str, int]]:
    """Tick the week (its messages count as delivered), then Friday: what it queued."""
    clock = Clock(datetime.fromisoformat(WEEK[0]))
    env = JobEnv(engine, clock, Settings(database_url=url, timezone="Asia/Shanghai"))
    for moment in WEEK:
        clock.set(datetime.fromisoformat(moment))
        run_due(env)
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).values(state="sent"))
    clock.set(datetime.fromisoformat(FRIDAY))
    start = time.perf_counter()
    run_due(env)
    tick = time.perf_counter() - start
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT kind, channel_id, user_id FROM outbox WHERE state = 'queued'")
        ).all()
    per_target = Counter(f"#{c}" if c else f"@{u}" for _, c, u in rows)
    return Counter(kind for kind, _, _ in rows), tick, dict(per_target)


def _floor(platform: str, per_target: dict[str, int]) -> float:
    """The least time the fake's limits allow for these messages."""
    if not per_target:
        return 0.0
    total = sum(per_target.values())
    if platform == "slack":  # 1/s per channel (the first at once), 50/s a workspace (50 burst)
        return max(max(per_target.values()) - 1, max(0, total - 50) / 50)
    # DingTalk: 20 a minute per group, the first 20 at once
    return max((math.ceil(n / 20) - 1) * 60 for n in per_target.values())


def _sender(platform: str, fake: LimitedSlack | LimitedDingTalk) -> Sender:
    if platform == "slack":
        from slack_sdk import WebClient

        from bot.adapters.slack.sender import SlackSender

        return SlackSender(WebClient(token="xoxb-bench", base_url=fake.url, timeout=10))
    from bot.adapters.dingtalk.config import DingTalkConfig
    from bot.adapters.dingtalk.openapi import OpenApi
    from bot.adapters.dingtalk.sender import DingTalkSender

    config = DingTalkConfig("bench", "secret", "benchrobot", fake.url)
    return DingTalkSender(OpenApi(config), "benchrobot")


def _seeded(url: str | None, projects: int, folder: Path, name: str) -> tuple[str, Engine]:
    if url is None:
        return seeded(folder, projects, name)
    seed(url, projects)  # in a subprocess (PostgreSQL: the schema dropped first)
    return url, make_engine(url)


def _in_process(platform: str, engine: Engine) -> tuple[LimitedSlack | LimitedDingTalk, float]:
    """One delivery loop in this process, on the Friday's pinned clock."""
    fake = LimitedSlack() if platform == "slack" else LimitedDingTalk()
    with fake:
        clock = Clock(datetime.fromisoformat(FRIDAY))
        senders = {platform: _sender(platform, fake)}
        policy = RetryPolicy(batch=BATCH)
        loop = DeliveryLoop(engine, clock, senders, policy=policy, workers=WORKERS)
        start = time.perf_counter()
        while _left(engine):
            loop.run_once()
        seconds = time.perf_counter() - start
    return fake, seconds


def run(platform: str, projects: int, folder: Path, url: str | None = None,
        replica_count: int = 0) -> Result:
    url, engine = _seeded(url, projects, folder, f"p4-{platform}")
    _bind(engine, platform)
    queued, tick, per_target = _friday(url, engine)
    peaks: list[float] = []
    if replica_count:
        fake, seconds, peaks, _ = replicas.deliver(url, engine, replica_count, folder)
    else:
        fake, seconds = _in_process(platform, engine)
    engine.dispose()
    total = sum(queued.values())
    unique = len(set(fake.accepted))
    return Result(
        platform,
        projects,
        queued,
        tick,
        seconds,
        _floor(platform, per_target),
        len(fake.accepted),
        total - unique,  # queued, never accepted (failed rows included)
        fake.doubled(),
        fake.requests,
        fake.refused,
        replica_count,
        peaks,
        dict(getattr(fake, "refused_by", {})),
    )


def _left(engine: Engine) -> int:
    with engine.begin() as conn:
        found = conn.execute(text("SELECT count(*) FROM outbox WHERE state = 'queued'"))
        return int(found.scalar() or 0)


def report(result: Result) -> str:
    queued = ", ".join(f"{kind} {n}" for kind, n in sorted(result.queued.items()))
    ratio = (f"×{result.seconds / result.floor:.2f}" if result.floor
             else "the limits allow every message at once")
    share = result.refused / result.requests if result.requests else 0.0
    by = (f"{result.replicas} `taskforce run` replicas" if result.replicas
          else "one delivery loop")
    peaks = ", ".join(f"{mb:.0f}" for mb in result.peaks_mb)
    memory = (f"\n  P5 peak resident memory of each `taskforce run`: {peaks} MB (the serving "
              "process's peak + what its worker, which runs the jobs, holds alone at the end)"
              if peaks else "")
    by_limit = "".join(f"; {n} by the {limit} limit" for limit, n in result.refused_by.items())
    return (
        f"{result.platform} by {by}, {result.projects} projects: "
        f"queued {sum(result.queued.values())} "
        f"({queued}); Friday tick {result.tick_seconds:.1f} s\n"
        f"  delivered {result.sent} in {result.seconds:.1f} s; floor {result.floor:.1f} s "
        f"({ratio}); lost {result.lost}, doubled {result.doubled}; "
        f"{result.refused} of {result.requests} requests refused ({share:.2%}{by_limit})"
        f"{memory}"
    )


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--platform", choices=["slack", "dingtalk", "both"], default="both")
    parser.add_argument("--smoke", action="store_true", help="a few projects, no claims on time")
    parser.add_argument("--url", help="seed this database (PostgreSQL: tf_bench…) instead")
    parser.add_argument("--replicas", type=int, default=0,
                        help="deliver through this many `taskforce run` processes (Slack)")
    args = parser.parse_args(argv)
    if args.replicas and args.platform != "slack":
        parser.error("--replicas needs --platform slack (its replicas serve HTTP mode)")
    projects = 4 if args.smoke else args.projects
    platforms = ["slack", "dingtalk"] if args.platform == "both" else [args.platform]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for platform in platforms:
            results.append(run(platform, projects, Path(folder), args.url, args.replicas))
            print(report(results[-1]), flush=True)
    return results


if __name__ == "__main__":
    main()
