"""Feedback data for templates: list rows, one report in full, the reporter's notices,
stats, the digest section and the readiness gate's line.

Imported by the feedback commands, `action show`, the digest and the readiness gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.messages import Label, Notice
from bot.notices import dm
from bot.readiness import Gap, readiness_check
from storage import feedback, history, people
from storage.feedback import OPEN_STATES, SEVERITIES, STATES, Feedback
from storage.models import ActionItem, Person, Project

LIST_LIMIT = 30
SECTION_LIMIT = 10
GAP_LIMIT = 10


def ref(project: Project, report: Feedback) -> str:
    """`P2/F3`: the id that works from anywhere (a DM, another channel)."""
    return f"{project.key}/F{report.seq}"


def rows(db: Session, project: Project, found: Sequence[Feedback]) -> list[dict[str, Any]]:
    """One line per report: id, text, severity, step, state, reporter, linked item."""
    return rows_of_projects(db, [(project, found)])[0]


def rows_of_projects(
    db: Session, found: Sequence[tuple[Project, Sequence[Feedback]]]
) -> list[list[dict[str, Any]]]:
    """`rows` for several projects' reports, the names and links of all read at once
    (no query when there are no reports)."""
    every = [f for _, reports in found for f in reports]
    if not every:
        return [[] for _ in found]
    names = people.by_ids(db, [f.reporter_id for f in every])
    linked = items_by_id(db, [f.item_id for f in every if f.item_id])
    originals = feedback.by_ids(db, [f.duplicate_of for f in every if f.duplicate_of])
    return [
        [_row(ZoneInfo(project.timezone), f, names, linked, originals) for f in reports]
        for project, reports in found
    ]


def _row(zone: ZoneInfo, f: Feedback, names: dict[int, Person], linked: dict[int, ActionItem],
         originals: dict[int, Feedback]) -> dict[str, Any]:
    return {
        "id": f"F{f.seq}",
        "text": f.text,
        "severity": f.severity,
        "step": f.step,
        "state": f.state,
        "reporter": names[f.reporter_id].display_name if f.reporter_id in names else "-",
        "reported_at": f.created_at.astimezone(zone),
        "item": f"A{linked[f.item_id].seq}" if f.item_id in linked else None,
        "duplicate_of": (
            f"F{originals[f.duplicate_of].seq}" if f.duplicate_of in originals else None
        ),
    }


def items_by_id(db: Session, ids: Sequence[int]) -> dict[int, ActionItem]:
    if not ids:
        return {}
    query = select(ActionItem).where(col(ActionItem.id).in_(set(ids)))
    return {i.id: i for i in db.exec(query).all()}


def detail(db: Session, project: Project, report: Feedback) -> dict[str, Any]:
    """What `feedback show` prints: the row, the triage, the resolution and the history."""
    zone = ZoneInfo(project.timezone)
    entries = history.of(db, "feedback", report.id)
    names = people.by_ids(db, [report.triaged_by, *(h.actor_id for h in entries)])
    triager = names.get(report.triaged_by) if report.triaged_by else None
    return {
        "report": rows(db, project, [report])[0],
        "note": report.note,
        "triaged_by": triager.display_name if triager else None,
        "resolution": report.resolution,
        "history": [
            {
                "at": h.at.astimezone(zone),
                "by": names[h.actor_id].display_name if h.actor_id in names else "-",
                "kind": h.field,
                "text": h.new,
            }
            for h in entries
        ],
    }


def notice(
    db: Session, project: Project, report: Feedback, kind: str, actor: Person, **data: Any
) -> list[Notice]:
    """The reporter's DM that their report was triaged (`kind`: accepted, rejected,
    duplicate, acted) or closed; none when they did it themselves."""
    reporter = people.by_ids(db, [report.reporter_id]).get(report.reporter_id)
    if reporter is None or reporter.id == actor.id:
        return []
    key = f"feedback:{report.id}:{kind}"
    return [dm(reporter, "feedback_notice", project.locale, key, kind=kind,
               id=ref(project, report), text=report.text, actor=actor.display_name,
               project=project.key, project_name=project.name, **data)]


def stats(db: Session, project: Project) -> dict[str, Any]:
    """Counts by severity, by process step and by state."""
    by_severity = dict(feedback.counts(db, project.id, "severity"))
    by_state = dict(feedback.counts(db, project.id, "state"))
    steps = sorted(  # the most reported first; reports without a step last
        feedback.counts(db, project.id, "step"), key=lambda s: (-s[1], s[0] is None, s[0] or "")
    )
    return {
        "project": project.key,
        "total": sum(by_state.values()),
        "severity": [{"key": s, "count": by_severity.get(s, 0)} for s in SEVERITIES],
        "states": [{"key": s, "count": by_state.get(s, 0)} for s in STATES],
        "steps": [{"name": name, "count": n} for name, n in steps],
    }


@readiness_check("feedback", order=30)
def open_high(db: Session, clock: Clock, project: Project) -> list[Gap]:
    """Every open high-severity report holds the rollout back (at most GAP_LIMIT named)."""
    found, total = feedback.listing(
        db, project.id, states=OPEN_STATES, severity="high", limit=GAP_LIMIT
    )
    gaps = [
        Gap("feedback_text.gap_high",
            {"id": f"F{f.seq}", "text": f.text, "state": Label("feedback_state", f.state)})
        for f in found
    ]
    if total > len(found):
        gaps.append(Gap("list_text.more", {"count": total - len(found)}))
    return gaps
