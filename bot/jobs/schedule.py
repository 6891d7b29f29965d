"""A project's digest times, from its schedule row (or the default one).

For the first two weeks after a project switches to rollout (初期每日跟踪) its digest
goes out daily, at the schedule's time on working days, then follows the schedule again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.jobs.periods import at_local, latest_fire, next_fire, period_key
from bot.workdays import calendar_for
from storage.delivery_tables import DigestSchedule
from storage.models import Project

EARLY_DAYS = 14  # calendar days of daily digests after the switch to rollout
EARLY = "rollout"  # the digest's cadence while they last (its title says so)
TICK = timedelta(microseconds=1)


def early_window(project: Project, rollout_on: date) -> tuple[datetime, datetime]:
    """[start of the rollout day, start of the day after the last early day), as instants."""
    start = at_local(rollout_on, "00:00", project.timezone)
    return start, at_local(rollout_on + timedelta(days=EARLY_DAYS), "00:00", project.timezone)


def early_until(rollout_on: date) -> date:
    return rollout_on + timedelta(days=EARLY_DAYS - 1)


def next_digest(
    schedule: DigestSchedule, project: Project, after: datetime, rollout_on: date | None = None
) -> datetime:
    """The project's first digest time strictly after `after` (daily in its early rollout)."""
    calendar = calendar_for(project.calendar)
    zone = project.timezone
    regular = next_fire(schedule.cadence, schedule.weekday, schedule.at, zone, calendar, after)
    if rollout_on is None:
        return regular
    start, end = early_window(project, rollout_on)
    if regular < start or after >= end:
        return regular
    daily = next_fire("daily", None, schedule.at, zone, calendar, max(after, start - TICK))
    if daily < end:
        return daily
    return next_fire(
        schedule.cadence, schedule.weekday, schedule.at, zone, calendar, max(after, end - TICK)
    )


def digest_period(
    schedule: DigestSchedule, project: Project, now: datetime, rollout_on: date | None = None
) -> tuple[str | None, str]:
    """The period a digest run at `now` reports (None: no digest time yet) and its cadence:
    EARLY for a daily early-rollout digest, else the schedule's."""
    calendar = calendar_for(project.calendar)
    zone = project.timezone
    if rollout_on is not None:
        start, end = early_window(project, rollout_on)
        fire = latest_fire("daily", None, schedule.at, zone, calendar, now) if now < end else None
        if fire is not None and fire >= start:
            return period_key("daily", fire, zone), EARLY
    fire = latest_fire(schedule.cadence, schedule.weekday, schedule.at, zone, calendar, now)
    return (period_key(schedule.cadence, fire, zone) if fire else None), schedule.cadence


def first_at(project: Project) -> datetime:
    """The default schedule's first digest time: the first Friday 17:00 after creation."""
    default = DigestSchedule(project_id=project.id, next_at=project.created_at)
    return next_digest(default, project, project.created_at)
