"""Review deadlines at 09:00, per timezone/calendar group (like bot/jobs/morning.py).

Pending reviewers are reminded on the working day before the due date and on the due
date's morning. Past the due date each pending slot climbs the project's escalation
ladder (bot/jobs/escalations_reviews.py): its first level is the overdue notice to the
reviewer and the leads. Each reminder is keyed per slot, round and due date, so it goes
out once whoever runs the sweep; the sweep itself claims job `reviews` per group and
morning, and reads the group's projects a chunk at a time (storage.sweeps.group_chunks).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlmodel import Session

from bot.jobs.groups import backing_off, claim_day, each_group
from bot.jobs.periods import morning_day, remind_before_cutoff
from bot.jobs.registry import JobEnv, job
from bot.messages import Notice
from bot.notices import dm
from bot.outbox.enqueue import enqueue_many
from bot.reviews_view import deciders, review_row, slot_label
from bot.workdays import calendar_for
from storage import people, reviews, sweeps
from storage.engine import transaction
from storage.models import Person, Project
from storage.reviews import Review, ReviewSlot

log = logging.getLogger(__name__)
JOB = "reviews"

Found = list[tuple[str, ReviewSlot, Review]]


@job(JOB)
def review_sweep(env: JobEnv) -> int:
    return each_group(env, JOB, _sweep_group)


def _sweep_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    waiting, failed = backing_off(env, JOB, scope)
    if waiting:
        return 0
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    with transaction(env.engine) as db:
        claimed = claim_day(db, env, JOB, scope, day, failed)
        if claimed is None:
            return 0
        previous, _ = claimed

        if local_now.date() != day:
            return 0  # reminders on their own morning only, never late
        windows = [("before", max(remind_before_cutoff(calendar, previous), day),
                    remind_before_cutoff(calendar, day))]
        if calendar.is_working(day):
            windows.append(("today", day - timedelta(days=1), day))
        queued = 0
        for chunk in sweeps.group_chunks(db, zone, calendar_name):  # a chunk held at a time
            found: Found = [
                (kind, slot, review)
                for kind, after, until in windows
                for slot, review in reviews.pending_due_between(
                    db, zone, calendar_name, after, until, chunk)
            ]
            queued += _queue(db, env, day, found) if found else 0
        return queued


def _notices(
    kind: str, slot: ReviewSlot, review: Review, project: Project, label: str, day: date,
    names: dict[int, Person],
) -> list[Notice]:
    row = review_row(project, review, [slot], day)
    key = f"review-{kind}:{slot.id}:{review.round}:{review.due_date.isoformat()}"
    asked = names.get(slot.delegate_id or slot.reviewer_id)
    if asked is None:
        return []
    return [dm(asked, "review_remind", project.locale, key, review=row, slot=label, kind=kind)]


def _queue(db: Session, env: JobEnv, day: date, found: Found) -> int:
    project_ids = list({r.project_id for _, _, r in found})
    by_id = reviews.projects_by_ids(db, project_ids)
    slots = [s for _, s, _ in found]
    depts = people.departments_by_ids(db, (s.department_id for s in slots))
    names = people.by_ids(db, [p for s in slots for p in (s.person_id, *deciders(s))])
    notices: list[tuple[Notice, int]] = []
    for kind, slot, review in found:
        project = by_id[review.project_id]
        label = slot_label(slot, depts, names)
        notices += [
            (n, project.id)
            for n in _notices(kind, slot, review, project, label, day, names)
        ]

    def skip(notice: Notice, project_id: int | None, error: Exception) -> None:
        log.error("review notice %s could not be rendered; skipped", notice.dedupe_key,
                  exc_info=error)

    return enqueue_many(db, notices, env.clock.now(), env.settings.timezone, on_error=skip)
