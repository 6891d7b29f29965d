"""`taskforce status`: the outbox (queued by target, leases, the oldest undelivered
age, failed, last errors), the job periods run,
and the job units that failed (a project's digest, a group's morning sweep)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from sqlmodel import col, select

from bot.clock import as_utc
from bot.outbox.loop import target_of
from bot.settings import Settings
from storage import jobruns, outbox, outbox_ops, unreachable
from storage.delivery_tables import OutboxMessage
from storage.engine import reading
from storage.models import Project

SHOWN = 20


def _line(row: OutboxMessage) -> str:
    first = row.payload.splitlines()[0][:60] if row.payload else ""
    when = row.next_attempt_at.strftime("%Y-%m-%d %H:%M UTC")
    line = f"  #{row.id} {row.kind} → {target_of(row)} [{row.platform}] attempts {row.attempts}"
    if row.state == "queued":
        line += f", next {when}"
        if row.claimed_by:
            line += f", claimed by {row.claimed_by}"
    line += f"\n      {first}"
    if row.last_error:
        line += f"\n      last error: {row.last_error}"
    return line


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def _queue(
    out: TextIO,
    by_target: Sequence[tuple[str, str, int, datetime]],
    held: Sequence[tuple[str, int, datetime]],
    oldest: datetime | None,
    now: datetime,
) -> None:
    """Every queued row counted by target, the leases held and by which process, and
    how long the oldest undelivered row has waited."""
    if oldest is not None:
        out.write(f"oldest undelivered: {_age((now - as_utc(oldest)).total_seconds())} old\n")
    if by_target:
        out.write("queued by target:\n")
        for platform, target, count, first in by_target:
            since = f"{as_utc(first):%Y-%m-%d %H:%M}"
            out.write(f"  {target} [{platform}]: {count} queued, oldest from {since} UTC\n")
    if held:
        out.write("leases held:\n")
        for worker, count, until in held:
            out.write(f"  {worker}: {count} rows, until {as_utc(until):%Y-%m-%d %H:%M:%S} UTC\n")


def print_status(settings: Settings, out: TextIO) -> None:
    from bot.runtime import build

    runtime = build(settings)
    with reading(runtime.engine) as db:  # read-only: never holds the write lock
        counts = outbox.counts(db)
        by_target = outbox_ops.queued_by_target(db)
        held = outbox_ops.leases(db, runtime.clock.now())
        oldest = outbox_ops.oldest_undelivered(db)
        queued = outbox.in_state(db, "queued", SHOWN)
        failed = outbox.in_state(db, "failed", SHOWN)
        jobs = jobruns.summary(db)
        recent = jobruns.recent(db, SHOWN)
        failing = jobruns.failures(db, SHOWN)
        found = unreachable.channels(db)
        ids = sorted({pid for _, _, pid in found if pid is not None})
        query = select(Project.id, Project.key).where(col(Project.id).in_(ids))
        keys = dict(db.exec(query).all()) if ids else {}
        blocked_channels = [(platform, channel, keys.get(pid)) for platform, channel, pid in found]
    out.write(
        "outbox: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("queued", "sent", "failed"))
        + "\n"
    )
    _queue(out, by_target, held, oldest, runtime.clock.now())
    for title, rows, total in (
        ("queued", queued, counts.get("queued", 0)),
        ("failed", failed, counts.get("failed", 0)),
    ):
        if rows:
            out.write(f"{title} (newest {len(rows)} of {total}):\n")
            out.write("\n".join(_line(r) for r in rows) + "\n")
    out.write("job periods:\n" if jobs else "job periods: none run yet\n")
    for job, runs, newest, last_run in jobs:
        out.write(
            f"  {job}: {runs} periods, newest {newest}, last run {last_run:%Y-%m-%d %H:%M} UTC\n"
        )
    if blocked_channels:
        out.write("channels the bot cannot post in (invite it: /invite @Taskforce):\n")
        for platform, channel, project in blocked_channels:
            out.write(f"  #{channel} [{platform}] of {project or '-'}\n")
    if failing:
        out.write("failing jobs (see the log for the errors):\n")
        for run in failing:
            job, last = run.job.removesuffix(jobruns.FAILED), f"{run.run_at:%Y-%m-%d %H:%M}"
            out.write(f"  {job} {run.scope} {run.period} failed, last at {last} UTC\n")
    if recent:
        out.write("recent periods:\n")
        for run in recent:
            out.write(f"  {run.job} {run.scope} {run.period} at {run.run_at:%Y-%m-%d %H:%M} UTC\n")
