"""Run every job that is due now, once; then (optionally) deliver the outbox."""

from __future__ import annotations

import logging

from bot.jobs import (  # noqa: F401  (registers the jobs)
    digests,
    housekeeping,
    morning,
    unreachable,  # noqa: F401  (first-day fixes: channels the bot is not in)
)
from bot.jobs.registry import JOBS, JobEnv

log = logging.getLogger(__name__)


def run_due(env: JobEnv) -> dict[str, int]:
    """Each job's count of queued messages; a failing job is logged and the others still run."""
    queued: dict[str, int] = {}
    for name, function in JOBS.items():
        try:
            queued[name] = function(env)
        except Exception:
            log.exception("job %s failed; it runs again on the next tick", name)
            queued[name] = 0
    return queued
