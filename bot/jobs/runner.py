"""Run every job that is due now, once; then (optionally) deliver the outbox."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from bot.jobs import (  # noqa: F401  (registers the jobs)
    announcements,
    digests,
    escalations,
    failing,
    housekeeping,
    kpis,
    meetings,
    morning,
    renotify,
    reviews,
    rollout,
    unreachable,
)
from bot.jobs import quizzes as quiz_jobs  # noqa: F401  (training quizzes)
from bot.jobs.registry import JOBS, Job, JobEnv
from bot.logs import request_scope
from bot.metrics import job_done
from bot.workdays import refresh_overrides
from storage.engine import transaction

log = logging.getLogger(__name__)


def run_due(env: JobEnv) -> dict[str, int]:
    """Each job's count of queued messages; a failing job is logged and the others still run."""
    queued: dict[str, int] = {}
    env = replace(env, memo={})  # read once for this run's jobs (bot/jobs/groups.py)
    try:
        with transaction(env.engine) as db:  # the working-day calendar sees new overrides
            refresh_overrides(db)
    except Exception:
        log.exception("could not refresh the calendar overrides; the jobs use the last ones")
    for name, function in JOBS.items():
        queued[name] = _run_one(name, function, env)
    return queued


def _run_one(name: str, function: Job, env: JobEnv) -> int:
    """One job, under a request id of its own (its log lines and outbox rows carry it)."""
    started = time.perf_counter()
    with request_scope(prefix=f"job-{name}"[:19]):
        try:
            return function(env)
        except Exception:
            log.exception("job %s failed; it runs again on the next tick", name)
            return 0
        finally:
            job_done(name, time.perf_counter() - started)
