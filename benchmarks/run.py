"""Command cost against database size: each command timed on a small and a full-scale
database in the same run; the ratio (full / small) should stay near 1 when a command
costs in proportion to what it returns, not to history.

    python -m benchmarks.run [--projects 2000]
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import bot.handlers  # noqa: F401  (registers the commands)
from benchmarks.seed import NOW, seeded, small_and_full
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.settings import Settings

COMMANDS = [
    ("action list", False),
    ("action list overdue", False),
    ("action list mine", True),
    ("status", False),
    ("action show A50", False),
    ("project info", False),
]
REPEAT = 30


def _time(dispatcher: Dispatcher, text: str, dm: bool) -> float:
    inbound = Inbound(
        platform="console",
        user_id="u1",
        user_name="u1",
        text=text,
        channel_id="dm:u1" if dm else "c1",
        is_dm=dm,
    )
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        replies = dispatcher.handle(inbound)
        samples.append(time.perf_counter() - start)
        assert replies[0].template != "error", (text, replies[0].data)
    return statistics.median(samples)


def measure(projects: int, folder: Path) -> dict[str, float]:
    url, engine = seeded(folder, projects, "bench")
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=url))
    return {text: _time(dispatcher, text, dm) for text, dm in COMMANDS}


def main() -> None:
    small, full, projects = small_and_full(measure)
    print(f"{'command':24} {'20 projects':>12} {f'{projects} projects':>16} {'ratio':>7}")
    for text, _ in COMMANDS:
        print(
            f"{text:24} {small[text] * 1000:10.2f}ms {full[text] * 1000:14.2f}ms "
            f"{full[text] / small[text]:7.2f}"
        )


if __name__ == "__main__":
    main()
