"""The meeting agenda's data (`agenda show`, and the job's agenda posts), for one project
or for every project whose agenda is due, from the same fixed number of set queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot import escalation_view, progress_view, reviews_view
from bot.clock import Clock
from bot.digest_sections import DigestTarget
from bot.meeting_time import Occurrence, following
from bot.meeting_view import LIMIT, meeting_row, topic_rows
from bot.views import item_rows
from bot.workdays import calendar_for
from storage import digest_sets, meeting_sets
from storage.meetings import MeetingSlot
from storage.models import Project

Wanted = tuple[Project, MeetingSlot, Occurrence]


def agenda_data(
    db: Session, clock: Clock, project: Project, slot: MeetingSlot, occurrence: Occurrence
) -> dict[str, Any]:
    """The agenda of `occurrence` as of now."""
    return agendas_of(db, clock, [(project, slot, occurrence)])[project.id]


def _section(kind: str, rows: list[dict[str, Any]], total: int) -> dict[str, Any] | None:
    return {"kind": kind, "rows": rows[:LIMIT], "more": max(0, total - LIMIT)} if rows else None


def agendas_of(db: Session, clock: Clock, wanted: Sequence[Wanted]) -> dict[int, dict[str, Any]]:
    """Each project's agenda of its occurrence, as of now, by project id."""
    targets = [DigestTarget(p, clock.today(p.timezone), None) for p, _, _ in wanted]
    todays = {t.id: t.today for t in targets}
    untils = {p.id: following(s, p, calendar_for(p.calendar), o).day - timedelta(days=1)
              for p, s, o in wanted}
    ids = list(todays)
    overdue, blocked, soon = meeting_sets.agenda_items(db, todays, untils, LIMIT)
    shown = [i for found in (overdue, blocked, soon) for rows, _ in found.values() for i in rows]
    queued = meeting_sets.queued_topics(db, ids)  # owners and presenters read along
    lines = {i.id: row for i, row in zip(shown, item_rows(db, shown, todays), strict=True)}
    records = digest_sets.open_escalations(db, ids, LIMIT)
    named = escalation_view.lookups(db, [r for rs, _ in records.values() for r in rs])
    reviews = reviews_view.digest_section(db, clock, targets)
    kpis = progress_view.kpi_section(db, clock, targets)
    topics: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for topic, row in zip(queued, topic_rows(db, queued), strict=True):
        topics[topic.project_id].append(row)

    def items(found: meeting_sets.Ranked, pid: int, kind: str) -> dict[str, Any] | None:
        rows, total = found.get(pid, ([], 0))
        return _section(kind, [lines[i.id] for i in rows], total)

    out = {}
    for (project, slot, occurrence), target in zip(wanted, targets, strict=True):
        pid = project.id
        fresh = [t for t in topics[pid] if not t["carried"]]
        carried = [t for t in topics[pid] if t["carried"]]
        shown_records, n_records = records.get(pid, ([], 0))
        escalation_rows = [escalation_view.row(r, named, project, target.today)
                           for r in shown_records]
        review_rows = reviews[pid]["reviews"]
        kpi_rows = kpis.get(pid, {"kpis": []})["kpis"]
        total = sum(t["minutes"] for t in topics[pid])
        sections = [
            _section("topics", fresh, len(fresh)),
            items(overdue, pid, "overdue"),
            items(blocked, pid, "blocked"),
            items(soon, pid, "due_soon"),
            _section("escalations", escalation_rows, n_records),
            _section("reviews", review_rows, len(review_rows)),
            _section("kpis", kpi_rows, len(kpi_rows)),
            _section("carried", carried, len(carried)),
        ]
        out[pid] = {
            "project": {"key": project.key, "name": project.name},
            "meeting": meeting_row(occurrence),
            "until": untils[pid],
            "sections": [s for s in sections if s],
            "total": total,
            "slot_minutes": slot.minutes,
            "over": total > slot.minutes,
        }
    return out
