"""Scheduled progress digests: one post per project, channel and period.

A project without a schedule row gets the default (weekly, Friday 17:00) dated
from its creation. Due schedules are found by `next_at` (indexed). A period is
claimed as job `digest` (scope the project id, period `2026-W48` or
`2026-11-27`); after downtime only the latest missed period is posted, with
the content as of now. Each digest moves the project's "since last" mark. For two
weeks after the switch to rollout the digest is daily (bot.jobs.schedule), its periods
the days (`2026-12-01`), then the schedule's own again.

The due digests of a tick are built together (bot/jobs/digest_batch.py): each
section reads every due project in a few set-based queries, the posts are
rendered outside any transaction, then periods are claimed and rows written
WRITE_CHUNK projects a transaction. A project that fails (say its data cannot
be rendered), or a batch that fails as a whole, goes one project at a time
(`_post`): a failing one is logged with the project key, recorded for `taskforce
status` (job `digest:failed`, scope the project key) and tried again after
RETRY, not on every tick; the other projects' digests go out all the same.

Transactions stay short, so a command waits at most one of them: due schedules
are read without the write lock, default schedules are made CHUNK rows per
transaction, and before each write the sweep lets waiting commands go first
(storage.engine.yield_to_commands). A crash mid-way is safe: the period claim
and the outbox dedupe key make the rerun post the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.calendar_view import provisional_note
from bot.jobs import digest_batch as batch
from bot.jobs.registry import JobEnv, job
from bot.jobs.schedule import digest_period, first_at, next_digest
from bot.notices import to_channels
from bot.outbox.enqueue import enqueue
from bot.progress_view import digest_data
from storage import digests, jobruns, readiness, sweeps
from storage.delivery_tables import DigestSchedule
from storage.engine import reading, transaction, yield_to_commands
from storage.models import Project

log = logging.getLogger(__name__)
JOB = "digest"
BATCH = 250  # due schedules read, and digests built, at a time (500: 19 MB more at peak)
WRITE_CHUNK = 100  # projects claimed and written a transaction
RETRY = timedelta(hours=1)  # a failed digest is tried again after this (or at its next time)


@job(JOB)
def digest_sweep(env: JobEnv) -> int:
    now = env.clock.now()
    with reading(env.engine) as db:
        missing = list(digests.unscheduled(db))
    for start in range(0, len(missing), digests.CHUNK):
        yield_to_commands(env.engine)
        with transaction(env.engine) as db:
            digests.add_defaults(db, missing[start : start + digests.CHUNK], first_at)
    queued = 0
    tried: set[int] = set()
    while True:  # in batches, until every due schedule has moved past now
        with reading(env.engine) as db:
            due = [(s, p) for s, p in digests.due(db, now, BATCH) if s.project_id not in tried]
        if not due:  # (a schedule still due after its try could not even be moved)
            return queued
        tried.update(s.project_id for s, _ in due)
        queued += _post_batch(env, due, now)


def _post_batch(env: JobEnv, due: list[tuple[DigestSchedule, Project]], now: datetime) -> int:
    """The due digests of many projects: read and rendered with a few set-based queries
    outside any transaction, then claimed and written CHUNK projects a transaction.

    A project the batch cannot take (its schedule is broken, its calendar has a note to
    claim) or a batch that fails as a whole goes one project at a time (`_one`)."""
    planned, alone = batch.plan(env, due, now)
    try:
        rendered, failed = batch.render(env, planned, now)
    except Exception:
        log.exception("digest batch of %d projects failed; posting them one by one", len(planned))
        alone += [p.project.id for p in planned]
        rendered, failed = {}, []
    queued = 0
    for start in range(0, len(rendered), WRITE_CHUNK):
        yield_to_commands(env.engine)
        chunk = dict(list(rendered.items())[start : start + WRITE_CHUNK])
        with transaction(env.engine) as db:
            queued += batch.write(db, JOB, chunk, now)
    for project_id in alone + failed:
        queued += _one(env, project_id, now)
    return queued


def _one(env: JobEnv, project_id: int, now: datetime) -> int:
    yield_to_commands(env.engine)
    try:
        return _post(env, project_id, now)
    except Exception:
        with reading(env.engine) as db:
            project = db.get(Project, project_id)
        key = project.key if project else f"#{project_id}"
        log.exception("digest of project %s failed; trying again in %s", key, RETRY)
        _failed(env, project_id, now)
        return 0


def _post(env: JobEnv, project_id: int, now: datetime) -> int:
    with transaction(env.engine) as db:
        schedule = digests.get(db, project_id)
        project = db.get(Project, project_id)
        if schedule is None or project is None or schedule.next_at > now:
            return 0  # another process has just posted it
        queued = 0
        rollout_on = readiness.rollout_day(db, project.id)
        period, cadence = digest_period(schedule, project, now, rollout_on)
        if period and jobruns.claim(db, JOB, str(project.id), period, now):
            data = digest_data(db, env.clock, project, schedule.since, cadence)
            today = env.clock.today(project.timezone)
            data["calendar_note"] = provisional_note(db, project, today, now)
            channels = sweeps.bindings_of(db, [project.id])[project.id]
            key = f"digest:{project.key}:{period}"
            notices = to_channels(channels, "digest", data, project.locale, key)
            queued = enqueue(db, notices, now, env.settings.timezone, project.id)
            schedule.since = now
            jobruns.clear_failures(db, JOB, project.key)
        schedule.next_at = next_digest(schedule, project, now, rollout_on)
        digests.save(db, schedule)
        return queued


def _failed(env: JobEnv, project_id: int, now: datetime) -> None:
    """Back off: the schedule is due again after RETRY (or at its next time, if sooner)."""
    try:
        with transaction(env.engine) as db:
            schedule = digests.get(db, project_id)
            project = db.get(Project, project_id)
            if schedule is None or project is None:
                return
            retry = now + RETRY
            try:
                rollout_on = readiness.rollout_day(db, project.id)
                period = digest_period(schedule, project, now, rollout_on)[0]
                period = period or now.date().isoformat()
                retry = min(retry, next_digest(schedule, project, now, rollout_on))
            except Exception:  # the schedule itself is broken (say, an unknown timezone)
                period = now.date().isoformat()
            schedule.next_at = retry
            digests.save(db, schedule)
            jobruns.record_failure(db, JOB, project.key, period, now)
    except Exception:
        log.exception("could not record the failed digest of project #%s", project_id)
