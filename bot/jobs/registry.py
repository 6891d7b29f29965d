"""The job table. A job claims its periods in the database (storage.jobruns), so
running it again for a period, in this process or another, does nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.settings import Settings


@dataclass(frozen=True)
class JobEnv:
    engine: Engine
    clock: Clock
    settings: Settings
    # what one run of the jobs reads once and shares (bot/jobs/groups.py); None outside
    # `run_due`: then nothing is shared and every read is fresh
    memo: dict[str, Any] | None = None


Job = Callable[[JobEnv], int]  # returns how many messages it queued
JOBS: dict[str, Job] = {}


def job(name: str) -> Callable[[Job], Job]:
    """Register the decorated function as the job `name`; jobs run in registration order."""

    def register(function: Job) -> Job:
        if name in JOBS:
            raise ValueError(f"job {name!r} registered twice")
        JOBS[name] = function
        return function

    return register
