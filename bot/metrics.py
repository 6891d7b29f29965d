"""Prometheus metrics, served on the health port (`/metrics`, bot/health.py).

Commands by name and outcome with a latency histogram, job run durations, and the
outbox read from the database at each scrape (queued, failed, the oldest queued age),
so every replica reports the one shared outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from bot.clock import Clock, as_utc
from storage import outbox
from storage.engine import reading

log = logging.getLogger(__name__)
REGISTRY = CollectorRegistry()
# ok, error (answered with a reason), busy (database busy), internal (a bug), dropped
COMMANDS = Counter(
    "taskforce_commands",
    "Commands handled, by command and outcome.",
    ("command", "outcome"),
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "taskforce_command_seconds",
    "Time to handle one command (parse, transaction, replies), by command.",
    ("command",),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "taskforce_job_seconds",
    "Time one scheduled job took on one tick, by job.",
    ("job",),
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)


Forward = Callable[[str, tuple[Any, ...]], None]  # (what, its figures)
_forward: list[Forward] = []  # in a worker process: where its figures are counted


def forward_to(to: Forward) -> None:
    """This process's figures are counted by another (bot/workers.py): send them `to` it."""
    _forward[:] = [to]


def command_done(command: str, outcome: str, seconds: float) -> None:
    if _forward:
        _forward[0]("command_done", (command, outcome, seconds))
        return
    COMMANDS.labels(command=command, outcome=outcome).inc()
    COMMAND_SECONDS.labels(command=command).observe(seconds)


def job_done(job: str, seconds: float) -> None:
    if _forward:
        _forward[0]("job_done", (job, seconds))
        return
    JOB_SECONDS.labels(job=job).observe(seconds)


RECORDED: dict[str, Callable[..., None]] = {"command_done": command_done, "job_done": job_done}


class OutboxCollector(Collector):
    """The outbox's state at scrape time, from the database."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with reading(self.engine) as db:
                counts = outbox.counts(db)
                oldest = outbox.oldest_queued(db)
        except Exception:
            log.warning("the outbox could not be read for /metrics", exc_info=True)
            return
        rows = GaugeMetricFamily(
            "taskforce_outbox_messages", "Outbox rows by state.", labels=("state",)
        )
        for state in ("queued", "failed", "sent"):
            rows.add_metric((state,), counts.get(state, 0))
        yield rows
        age = 0.0 if oldest is None else (self.clock.now() - as_utc(oldest)).total_seconds()
        yield GaugeMetricFamily(
            "taskforce_outbox_oldest_queued_seconds",
            "Age of the oldest row still waiting to be sent (0 when none waits).",
            value=max(age, 0.0),
        )


_WATCHING: list[OutboxCollector] = []


def watch_outbox(engine: Engine, clock: Clock) -> None:
    """Report the outbox of `engine` at each scrape (the latest call wins)."""
    while _WATCHING:
        REGISTRY.unregister(_WATCHING.pop())
    collector = OutboxCollector(engine, clock)
    REGISTRY.register(collector)
    _WATCHING.append(collector)
