"""`taskforce tick`: run every due job once, then deliver, printing each sent message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from bot.clock import Clock
from bot.delivery import Sender
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.outbox.console import ConsoleSender, format_delivery
from bot.outbox.delivered import DeliveryReport, target_of
from bot.outbox.loop import DeliveryLoop
from bot.settings import Settings
from storage.delivery_tables import OutboxMessage
from storage.engine import reading


def tick(
    engine: Engine,
    clock: Clock,
    settings: Settings,
    senders: Mapping[str, Sender],
    on_sent: Callable[[OutboxMessage], None] | None = None,
) -> DeliveryReport:
    run_due(JobEnv(engine, clock, settings))
    return DeliveryLoop(engine, clock, senders, on_sent=on_sent).run_once()


def _undeliverable(engine: Engine, platforms: list[str]) -> dict[str, int]:
    with reading(engine) as db:  # read-only: never holds the write lock
        query = (
            select(OutboxMessage.platform, func.count())
            .where(OutboxMessage.state == "queued", col(OutboxMessage.platform).not_in(platforms))
            .group_by(OutboxMessage.platform)
        )
        return dict(db.exec(query).all())


def run_tick(
    settings: Settings, out: TextIO, err: TextIO, platform_senders: Mapping[str, Sender]
) -> int:
    """The CLI command; exit status 1 when a message failed for good.

    `platform_senders` are the configured platforms' senders (the CLI builds them);
    console messages are always delivered (printed).
    """
    from bot.runtime import build

    runtime = build(settings)
    senders: dict[str, Sender] = {"console": ConsoleSender(_Discard()), **platform_senders}

    def printed(row: OutboxMessage) -> None:
        out.write(format_delivery(target_of(row), row.payload) + "\n\n")
        out.flush()

    report = tick(runtime.engine, runtime.clock, settings, senders, on_sent=printed)
    for row in report.failed:
        err.write(f"failed: outbox #{row.id} → {target_of(row)}: {row.last_error}\n")
    for platform, count in _undeliverable(runtime.engine, list(senders)).items():
        err.write(f"{count} message(s) for {platform} stay queued: no {platform} sender here\n")
    return 1 if report.failed else 0


class _Discard:
    """The console sender's stream in `tick`: `printed` shows every platform alike."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None
