"""The digest job's set-based path: every due digest of a batch built from a few queries
per section (bot/progress_view.py `digests_of`), rendered outside any transaction, then
claimed and written in short transactions of a chunk of projects each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.calendar_view import cn_calendar
from bot.digest_sections import DigestTarget
from bot.jobs.registry import JobEnv
from bot.jobs.schedule import digest_period, next_digest
from bot.messages import Notice
from bot.notices import to_channels
from bot.outbox.enqueue import quiet_people, render_rows
from bot.progress_view import digests_of
from storage import digests, jobruns, outbox, readiness, sweeps
from storage.delivery_tables import DigestSchedule
from storage.engine import reading
from storage.models import Project


@dataclass
class Planned:
    """One due digest: its period (None: nothing to post, only move the schedule)."""

    project: Project
    today: date
    since: datetime | None
    cadence: str
    period: str | None
    next_at: datetime
    rows: list[dict] = field(default_factory=list)  # rendered outbox rows


def plan(
    env: JobEnv, due: list[tuple[DigestSchedule, Project]], now: datetime
) -> tuple[list[Planned], list[int]]:
    """(the digests the batch makes, the project ids left to the one-project path: a broken
    schedule, or a `cn` calendar whose provisional-year note is claimed while posting)."""
    planned: list[Planned] = []
    alone: list[int] = []
    with reading(env.engine) as db:  # daily digests in the first weeks of rollout
        rollout = readiness.rollout_days(db, [s.project_id for s, _ in due])
    for schedule, project in due:
        try:
            today = env.clock.today(project.timezone)
            rollout_on = rollout.get(project.id)
            period, cadence = digest_period(schedule, project, now, rollout_on)
            next_at = next_digest(schedule, project, now, rollout_on)
        except Exception:  # said and recorded by the one-project path
            alone.append(schedule.project_id)
            continue
        if project.calendar == "cn" and cn_calendar().is_provisional(today.year):
            alone.append(schedule.project_id)
            continue
        planned.append(
            Planned(project, today, schedule.since, cadence, period, next_at)
        )
    return planned, alone


def render(env: JobEnv, planned: list[Planned], now: datetime) -> tuple[dict[int, Planned], list]:
    """Each digest's outbox rows, read in one snapshot (no write lock) and rendered;
    (the digests by project id, the ids of projects whose digest could not be rendered)."""
    posting = [p for p in planned if p.period]
    targets = [DigestTarget(p.project, p.today, p.since) for p in posting]
    with reading(env.engine) as db:
        data = digests_of(db, env.clock, targets, {p.project.id: p.cadence for p in posting})
        channels = sweeps.bindings_of(db, [t.id for t in targets])
        notices: list[tuple[Notice, int | None]] = []
        for p in posting:
            key = f"digest:{p.project.key}:{p.period}"
            posts = to_channels(channels[p.project.id], "digest", data[p.project.id],
                                p.project.locale, key)
            notices.extend((n, p.project.id) for n in posts)
        quiet = quiet_people(db, [n for n, _ in notices])
    failed: set[int] = set()
    rows = render_rows(notices, quiet, now, env.settings.timezone,
                       on_error=lambda _n, pid, _e: failed.add(pid or 0))
    by_id = {p.project.id: p for p in planned if p.project.id not in failed}
    for row in rows:
        if row["project_id"] in by_id:
            by_id[row["project_id"]].rows.append(row)
    return by_id, sorted(failed)  # type: ignore[return-value]


def write(db: Session, job: str, chunk: dict[int, Planned], now: datetime) -> int:
    """Claim the chunk's periods, queue the claimed digests and move every schedule still
    due (another process may have posted some meanwhile); how many rows were queued."""
    still = digests.due_among(db, list(chunk), now)
    periods = {str(pid): chunk[pid].period for pid in still if chunk[pid].period}
    claimed = {scope for scope, _ in jobruns.claim_many(db, job, list(periods.items()), now)}
    rows = [row for pid in still if str(pid) in claimed for row in chunk[pid].rows]
    queued = outbox.insert(db, rows)
    digests.move(db, [
        {"project_id": pid, "next_at": chunk[pid].next_at,
         **({"since": now} if str(pid) in claimed else {})}
        for pid in still
    ])
    jobruns.clear_failures(db, job, [chunk[pid].project.key for pid in still
                                     if str(pid) in claimed])
    return queued
