"""Run every job that is due now, once; then (optionally) deliver the outbox."""

from __future__ import annotations

import logging

from bot.jobs import (  # noqa: F401  (registers the jobs)
    digests,
    escalations,
    failing,
    housekeeping,
    meetings,
    morning,
    renotify,
    reviews,
    unreachable,
)
from bot.jobs import quizzes as quiz_jobs  # noqa: F401  (training quizzes)
from bot.jobs.registry import JOBS, JobEnv
from bot.workdays import refresh_overrides
from storage.engine import transaction

log = logging.getLogger(__name__)


def run_due(env: JobEnv) -> dict[str, int]:
    """Each job's count of queued messages; a failing job is logged and the others still run."""
    queued: dict[str, int] = {}
    try:
        with transaction(env.engine) as db:  # the working-day calendar sees new overrides
            refresh_overrides(db)
    except Exception:
        log.exception("could not refresh the calendar overrides; the jobs use the last ones")
    for name, function in JOBS.items():
        try:
            queued[name] = function(env)
        except Exception:
            log.exception("job %s failed; it runs again on the next tick", name)
            queued[name] = 0
    return queued
