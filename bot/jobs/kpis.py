"""KPI asks at 09:00, per timezone/calendar group (like bot/jobs/reviews.py).

For each KPI on a cadence (storage/kpis.py), the owner is asked on the period's ask day
(the due day, or the next working day), asked again two working days later when no
value for the period has been recorded, and the working day after that the process
owner is told the value is stale. The sweep claims job `kpis` per group and morning;
each message is keyed per KPI, period and kind, so it goes out once whoever sends it.
A morning missed while the bot was down is caught up once: of one period's asks only
the latest that fell due since the group's last morning goes out. The group's projects
are read a chunk at a time (storage.sweeps.group_chunks).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.jobs.groups import backing_off, claim_day, each_group
from bot.jobs.periods import morning_day
from bot.jobs.registry import JobEnv, job
from bot.kpi_periods import Period, counts_from, local_date, recent_periods
from bot.kpi_values import start_of_day
from bot.kpi_view import ask_data
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from bot.workdays import WorkCalendar, calendar_for
from storage import kpis, people, projects, sweeps
from storage.engine import transaction
from storage.kpis import KpiCadence
from storage.models import Kpi, Project

log = logging.getLogger(__name__)
JOB = "kpis"


@dataclass(frozen=True)
class Due:
    kind: str  # first | second | stale
    period: Period
    cadence: KpiCadence
    kpi: Kpi
    project: Project


@job(JOB)
def kpi_sweep(env: JobEnv) -> int:
    return each_group(env, JOB, _sweep_group)


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    waiting, failed = backing_off(env, JOB, scope)
    if waiting:
        return 0
    calendar = calendar_for(calendar_name)
    day = morning_day(env.clock.local(zone))
    with transaction(env.engine) as db:
        claimed = claim_day(db, env, JOB, scope, day, failed)
        if claimed is None:
            return 0
        previous, queued = claimed[0], 0
        for chunk in sweeps.group_chunks(db, zone, calendar_name):  # a chunk held at a time
            rows = kpis.in_group(db, zone, calendar_name, chunk)
            due = [d for row in rows for d in _due_for(*row, previous, day, calendar, zone)]
            queued += _queue(db, env, _without_values(db, due, zone))
        return queued


def _due_for(
    cadence: KpiCadence, kpi: Kpi, project: Project, previous: date, day: date,
    calendar: WorkCalendar, zone: str,
) -> list[Due]:
    """What falls due for one KPI in (previous, day]: per period its latest step."""
    first_counted = counts_from(cadence.set_at, zone)
    found = []
    for period in recent_periods(cadence.every, cadence.day, day, calendar):
        if period.ask < first_counted or period.swallowed:
            continue
        steps = [("first", period.ask), ("second", period.second), ("stale", period.stale)]
        fallen = [kind for kind, on in steps if previous < on <= day]
        if fallen:
            found.append(Due(fallen[-1], period, cadence, kpi, project))
    return found


def _without_values(db: Session, due: Sequence[Due], zone: str) -> list[Due]:
    """The asks whose period has no value yet (one query for all of them)."""
    if not due:
        return []
    since = start_of_day(min(d.period.start for d in due), zone)
    times = kpis.value_times_since(db, list({d.kpi.id for d in due}), since)
    return [
        d for d in due
        if not any(d.period.holds(local_date(at, zone)) for at in times[d.kpi.id])
    ]


def _queue(db: Session, env: JobEnv, due: Sequence[Due]) -> int:
    if not due:
        return 0
    owners = people.by_ids(db, [d.cadence.owner_id for d in due])
    heads = projects.process_owners(db, list({d.project.id for d in due}))
    notices: list[tuple[Notice, int | None]] = []
    for d in due:
        data = ask_data(d.kpi, d.project, d.period, d.kind)
        key = f"kpi-{d.kind}:{d.kpi.id}:{d.period.key}"
        owner = owners.get(d.cadence.owner_id)
        if d.kind == "stale":
            to = heads.get(d.project.id) or owner
            data["owner"] = owner.display_name if owner else "?"
            template = "kpi_stale"
        else:
            to, template = owner, "kpi_ask"
        if to is not None:
            notices.append((dm(to, template, d.project.locale, key, **data), d.project.id))

    def skip(notice: Notice, project_id: int | None, error: Exception) -> None:
        log.error("KPI notice %s could not be rendered; skipped", notice.dedupe_key,
                  exc_info=error)

    return enqueue_many(db, notices, env.clock.now(), env.settings.timezone, on_error=skip)

