"""A project's progress as of now: what `status` shows and the digest posts.

A view, not a handler: `status`, `digest now` and the scheduled digest job all read it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.announcements_view import open_rows as open_announcements
from bot.clock import Clock
from bot.escalation_view import section as escalation_section
from bot.feedback_view import digest_feedback
from bot.meeting_view import digest_meeting
from bot.quiz_view import digest_quizzes
from bot.reviews_view import open_review_rows
from bot.views import item_rows, kpi_rows
from storage import items, sweeps
from storage.items import ACTIVE, ItemFilter
from storage.models import Project

STATUS_LIMIT = 10
UNBLOCKED = ("open", "in_progress")


def progress(
    db: Session, clock: Clock, project: Project, since: datetime | None = None
) -> dict[str, object]:
    """The digest's sections for `project` as of now; with `since`, what was done since then."""
    today = clock.today(project.timezone)
    todays = {project.id: today}
    base = {"project_ids": [project.id], "today": todays}
    # each item under one heading: a blocked item is listed as blocked (with its lateness)
    moving = {**base, "statuses": UNBLOCKED}
    overdue, n_overdue = items.listing(db, ItemFilter(**moving, overdue_only=True), STATUS_LIMIT)
    blocked, n_blocked = items.listing(db, ItemFilter(**base, statuses=("blocked",)), STATUS_LIMIT)
    soon, n_soon = items.listing(
        db,
        ItemFilter(**moving, due_from=today, due_until=today + timedelta(days=7)),
        STATUS_LIMIT,
    )
    done, n_done = sweeps.done_since(db, project.id, since, STATUS_LIMIT) if since else ([], 0)
    counts = items.status_counts(db, project.id)
    return {
        "project": project,
        "today": today,
        "counts": counts,
        "open": sum(counts.get(s, 0) for s in ACTIVE),
        "done": item_rows(db, done, todays),
        "n_done": n_done,
        "overdue": item_rows(db, overdue, todays),
        "n_overdue": n_overdue,
        "blocked": item_rows(db, blocked, todays),
        "n_blocked": n_blocked,
        "soon": item_rows(db, soon, todays),
        "n_soon": n_soon,
        "kpis": kpi_rows(db, project.id, today),
        **escalation_section(db, clock, project),
    }


def digest_data(
    db: Session, clock: Clock, project: Project, since: datetime | None, cadence: str
) -> dict[str, Any]:
    """The digest's content as of now: `progress` plus what was done since the last digest,
    the next meeting and the decisions since, quiz completion, open reviews, feedback and
    the announcements awaiting confirmation."""
    data = {**progress(db, clock, project, since=since), "cadence": cadence, "since": since}
    return {
        **data,
        **digest_meeting(db, clock, project, since),
        **digest_quizzes(db, project.id),
        "reviews": open_review_rows(db, project, clock.today(project.timezone)),
        **digest_feedback(db, project, since),
        "announcements": open_announcements(db, project),
    }
