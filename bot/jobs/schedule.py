"""A project's digest times, from its schedule row (or the default one)."""

from __future__ import annotations

from datetime import datetime

from bot.jobs.periods import next_fire
from bot.workdays import calendar_for
from storage.delivery_tables import DigestSchedule
from storage.models import Project


def next_digest(schedule: DigestSchedule, project: Project, after: datetime) -> datetime:
    """The project's first digest time strictly after `after`."""
    calendar = calendar_for(project.calendar)
    return next_fire(
        schedule.cadence, schedule.weekday, schedule.at, project.timezone, calendar, after
    )


def first_at(project: Project) -> datetime:
    """The default schedule's first digest time: the first Friday 17:00 after creation."""
    default = DigestSchedule(project_id=project.id, next_at=project.created_at)
    return next_digest(default, project, project.created_at)
