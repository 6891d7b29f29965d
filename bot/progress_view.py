"""A project's progress as of now: what `status` shows and the digest posts.

A view, not a handler: `status`, `digest now` and the scheduled digest job all read it.
Each section is a function over a set of projects (bot/digest_sections.py): `status`
and `digest now` build one project, the Friday tick every due project at once, from
the same functions. A new digest section joins `DIGEST_SECTIONS` (and
`PROGRESS_SECTIONS` if `status` shows it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import escalation_view, meeting_view, quiz_view, reviews_view, rollout_digest
from bot.clock import Clock
from bot.digest_sections import DigestTarget, Section, Sections, build
from bot.views import item_rows, kpi_row_on
from storage import digest_sets
from storage import kpis as kpis_store
from storage.items import ACTIVE
from storage.models import ActionItem, Project

STATUS_LIMIT = 10
ITEM_SECTIONS = ("done", "overdue", "blocked", "soon")


def item_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """Counts per status, and the done (since the mark), overdue, blocked and due-soon
    items: each list's first STATUS_LIMIT rows and its total, for every target at once."""
    todays = {t.id: t.today for t in targets}
    ranked, totals = digest_sets.active_sections(db, todays, STATUS_LIMIT)
    sinces = {t.id: t.since for t in targets if t.since is not None}
    done, n_done = digest_sets.done_since(db, sinces, STATUS_LIMIT)
    ranked.update(done)
    totals.update(n_done)
    counts = digest_sets.status_counts(db, list(todays))
    shown: list[ActionItem] = [
        item for t in targets for name in ITEM_SECTIONS for item in ranked.get((t.id, name), [])
    ]
    rows = iter(item_rows(db, shown, todays))  # owners and calendars in one query each
    out: Sections = {}
    for target in targets:
        data: dict[str, Any] = {
            "counts": counts[target.id],
            "open": sum(counts[target.id].get(s, 0) for s in ACTIVE),
        }
        for name in ITEM_SECTIONS:
            data[name] = [next(rows) for _ in ranked.get((target.id, name), [])]
            data[f"n_{name}"] = totals.get((target.id, name), 0)
        out[target.id] = data
    return out


def kpi_section(db: Session, clock: Clock, targets: Sequence[DigestTarget]) -> Sections:
    """Every KPI of each target with its newest value, its date and whether it is stale."""
    found = kpis_store.with_latest(db, [t.id for t in targets])
    by_id = {t.id: t for t in targets}
    return {
        project_id: {
            "kpis": [
                kpi_row_on(kpi, value, cadence, by_id[project_id].project,
                           by_id[project_id].today)
                for kpi, value, cadence in found_kpis
            ]
        }
        for project_id, found_kpis in found.items()
    }


PROGRESS_SECTIONS: list[Section] = [item_section, kpi_section, escalation_view.digest_section]
DIGEST_SECTIONS: list[Section] = [
    *PROGRESS_SECTIONS,
    meeting_view.digest_section,
    quiz_view.digest_section,
    reviews_view.digest_section,
    rollout_digest.feedback_section,
    rollout_digest.announcement_section,
]


def progress(
    db: Session, clock: Clock, project: Project, since: datetime | None = None
) -> dict[str, object]:
    """The digest's sections for `project` as of now; with `since`, what was done since then."""
    target = DigestTarget(project, clock.today(project.timezone), since)
    data = build(db, clock, [target], PROGRESS_SECTIONS)[target.id]
    return {"project": project, "today": target.today, **data}


def digest_data(
    db: Session, clock: Clock, project: Project, since: datetime | None, cadence: str
) -> dict[str, Any]:
    """The digest's content as of now: `progress` plus what was done since the last digest,
    the next meeting and the decisions since, quiz completion, open reviews, feedback and
    the announcements awaiting confirmation."""
    target = DigestTarget(project, clock.today(project.timezone), since)
    return digests_of(db, clock, [target], cadence)[target.id]


def digests_of(
    db: Session, clock: Clock, targets: Sequence[DigestTarget], cadence: str | dict[int, str]
) -> Sections:
    """`digest_data` of many projects at once: a few queries per section, not per project.
    `cadence` one for all or per project id."""
    found = build(db, clock, targets, DIGEST_SECTIONS)
    for target in targets:
        each = cadence if isinstance(cadence, str) else cadence[target.id]
        found[target.id].update(
            project=target.project, today=target.today, cadence=each, since=target.since
        )
    return found
