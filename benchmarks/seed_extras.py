"""What the scheduled jobs act on, added to benchmarks/seed.py's projects in bulk.

Dates are fixed around the seed's Wednesday 2026-11-18 so that the 09:00 jobs of
Thursday 2026-11-19 (MORNING) have work in every project:

- departments: ten, organisation-wide; a project's n-th member is in department n,
  headed by project 1's n-th member;
- items 1–5 of each project pinned: A1 due Wednesday (overdue alert), A2 due Friday
  (reminder), A3 due Tuesday (the ladder's `lead` level), A4 blocked since the 12th
  with an open `lead` escalation raised on Monday (re-notified), A5 with an
  acknowledged escalation whose ETA lapses on Thursday; a resolved one on A6;
- an escalation policy per project (re-notify every 27 working hours: the records raised
  on Monday are due again on Thursday morning, what the week's ladder raises from
  Wednesday on is not yet by Friday's digests);
- reviews: R1 due Thursday (reminders), R2 late since Tuesday 17th (the ladder's `lead`
  level on Thursday), R3 approved;
  two slots each (a department, a person);
- a question bank per project (`q<P>`, five questions) and three assignments: due
  Friday (reminders), due Wednesday (the heads' lists), and an old one everyone passed;
- a weekly KPI cadence (Thursday) per KPI, owned by the second member;
- announcements: N1 confirm by Friday (reminders), N2 by Wednesday (the heads' lists);
- feedback: three per project in several states;
- meetings (projects with a slot): last week's, ended, with a done topic and a decision,
  and two queued topics for this week's agenda;
- every fifth project rolled out six months ago (the review reminder is due); every
  tenth has a channel post that failed for good (not in the channel).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, update
from sqlmodel import SQLModel

from storage.announcements import Announcement, AnnouncementRecipient
from storage.delivery_tables import OutboxMessage
from storage.escalations import Escalation, EscalationEvent, EscalationPolicy
from storage.feedback import Feedback
from storage.kpis import KpiCadence
from storage.meetings import AgendaTopic, Decision, Meeting
from storage.models import ActionItem, Department, Person
from storage.quizzes import QuizAssignee, QuizAssignment, QuizAttempt, QuizBank, QuizQuestion
from storage.readiness import Readiness
from storage.reviews import Review, ReviewDecision, ReviewSlot
from storage.sequences import IdSequence

# tables given explicit ids here (PostgreSQL's sequences are moved past them afterwards)
EXPLICIT: list[type[SQLModel]] = [Department, Escalation, Review, ReviewSlot, QuizBank,
                                  QuizQuestion, QuizAssignment, QuizAssignee, QuizAttempt,
                                  Announcement, Meeting]
Bulk = Callable[[Connection, type[SQLModel], Any], int]
Rows = Iterator[dict[str, Any]]

MORNING = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)  # 09:00 Thursday in Asia/Shanghai
SEEDED = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # benchmarks.seed.NOW
RAISED = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # the seeded records: Monday's ladder
RENOTIFY_HOURS = 27  # three working days: due again on Thursday at 09:00
WED, THU, FRI = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)
DEPARTMENTS = 10
QUESTIONS = 5
# (seq, due, status, blocked reason) of the pinned items
PINNED = [(1, WED, "open"), (2, FRI, "open"), (3, date(2026, 11, 17), "open"),
          (4, date(2026, 11, 12), "blocked"), (5, date(2026, 11, 10), "in_progress")]


def member(p: int, m: int, members: int) -> int:
    """The person id of project `p`'s m-th member (0: the process owner)."""
    return (p - 1) * members + m + 1


def _pin_items(conn: Connection) -> None:
    table = ActionItem.__table__  # type: ignore[attr-defined]
    conn.execute(
        update(table).where(table.c.seq == bindparam("s")).values(
            due_date=bindparam("d"), original_due=bindparam("d"), status=bindparam("st"),
            done_at=None, blocked_reason=bindparam("why")),
        [{"s": s, "d": d, "st": st, "why": "waiting for IT" if st == "blocked" else None}
         for s, d, st in PINNED],
    )
    people = Person.__table__  # type: ignore[attr-defined]
    conn.execute(update(people).values(department_id=(people.c.id - 1) % DEPARTMENTS + 1))


def _escalations(ids: range, members: int, items: int) -> tuple[list[dict], list[dict]]:
    """Per project E1 (A4, open at `lead`), E2 (A5, acknowledged, ETA lapsed), E3 resolved;
    their events (raised, notified the process owner)."""
    records, events = [], []
    for p in ids:
        item = (p - 1) * items  # the project's first item id, minus one
        for seq, n, state in ((1, 4, "open"), (2, 5, "acknowledged"), (3, 6, "resolved")):
            due = PINNED[n - 1][1] if n <= 5 else date(2026, 10, 30)
            eid = 3 * (p - 1) + seq
            records.append({
                "id": eid, "project_id": p, "seq": seq, "subject_kind": "item",
                "subject_id": item + n, "item_id": item + n, "due_date": due,
                "ladder_key": f"item:{item + n}:{due.isoformat()}", "level": "lead",
                "level_days": 2, "reason": "overdue", "state": state,
                "ack_at": SEEDED - timedelta(days=2) if state != "open" else None,
                "eta": WED if state == "acknowledged" else None,  # lapses on Thursday
                "resolved_at": SEEDED - timedelta(days=1) if state == "resolved" else None,
                "created_at": RAISED, "last_notified_at": RAISED, "renotified": 0})
            events.append({"escalation_id": eid, "at": RAISED,
                           "kind": "raised", "level": "lead", "person_id": None})
            events.append({"escalation_id": eid, "at": RAISED,
                           "kind": "notified", "level": "lead",
                           "person_id": member(p, 0, members)})
    return records, events


def _reviews(ids: range, members: int, items: int) -> tuple[list, list, list]:
    reviews, slots, decisions = [], [], []
    for p in ids:
        for seq, due, state in ((1, THU, "open"), (2, date(2026, 11, 17), "open"),
                                (3, date(2026, 11, 6), "approved")):
            rid = 3 * (p - 1) + seq
            reviews.append({
                "id": rid, "project_id": p, "seq": seq, "title": f"process draft {seq}",
                "item_id": (p - 1) * items + 7, "mode": "all", "within_days": 3,
                "opened_at": SEEDED - timedelta(days=7), "round": 1,
                "round_opened_on": due - timedelta(days=5), "due_date": due, "state": state,
                "requester_id": member(p, 0, members)})
            decisions.append({"review_id": rid, "project_id": p, "round": 1, "kind": "opened",
                              "actor_id": member(p, 0, members), "at": SEEDED})
            for k, dept in ((1, 3), (2, None)):
                slots.append({
                    "id": 2 * (rid - 1) + k, "review_id": rid, "project_id": p,
                    "department_id": dept, "person_id": None if dept else member(p, 4, members),
                    "reviewer_id": dept if dept else member(p, 4, members),
                    "no_head": False, "round": 1,
                    "state": "approved" if state == "approved" else "pending"})
    return reviews, slots, decisions


def _quizzes(ids: range, members: int) -> tuple[list, list, list, list, list]:
    banks, questions, assignments, assignees, attempts = [], [], [], [], []
    for p in ids:
        banks.append({"id": p, "key": f"q{p}", "version": 1, "title": f"new process {p}",
                      "pass_mark": 80, "time_limit_minutes": 0, "attempts": 2, "shuffle": False,
                      "imported_at": SEEDED - timedelta(days=30)})
        qids = [QUESTIONS * (p - 1) + n for n in range(1, QUESTIONS + 1)]
        questions += [{"id": q, "bank_id": p, "number": n + 1, "text": f"question {n + 1}",
                       "type": "single", "options": '["yes", "no", "maybe"]', "answer": "A",
                       "departments": "[]", "roles": "[]"}
                      for n, q in enumerate(qids)]
        for k, due, passing in ((1, FRI, 4), (2, WED, 6), (3, date(2026, 10, 30), members)):
            aid = 3 * (p - 1) + k
            assignments.append({"id": aid, "project_id": p, "bank_id": p, "target": "all",
                                "due_date": due, "created_by": member(p, 0, members),
                                "created_at": SEEDED - timedelta(days=10)})
            for m in range(members):
                sid = members * (aid - 1) + m + 1
                passed = m < passing
                assignees.append({"id": sid, "assignment_id": aid,
                                  "person_id": member(p, m, members), "department_id": m + 1,
                                  "questions": json.dumps(qids), "passed": passed})
                if passed or m % 3 == 0:
                    answers = {str(q): "A" if passed or n else "B" for n, q in enumerate(qids)}
                    attempts.append({
                        "id": sid, "assignee_id": sid, "number": 1, "seed": sid,
                        "order": json.dumps([[q, [0, 1, 2]] for q in qids]),
                        "answers": json.dumps(answers), "picked": "", "position": QUESTIONS,
                        "started_at": SEEDED - timedelta(days=3),
                        "submitted_at": SEEDED - timedelta(days=3, minutes=-9),
                        "score": 100 if passed else 60, "passed": passed})
    return banks, questions, assignments, assignees, attempts


def _announcements(ids: range, members: int) -> tuple[list, list]:
    notes, recipients = [], []
    for p in ids:
        for seq, confirm_by in ((1, FRI), (2, WED)):
            nid = 2 * (p - 1) + seq
            notes.append({"id": nid, "project_id": p, "seq": seq, "title": f"notice {seq}",
                          "text": "the new process applies from Monday", "target": "all",
                          "confirm_by": confirm_by, "required": True,
                          "sent_at": SEEDED - timedelta(days=5),
                          "sent_by": member(p, 0, members)})
            recipients += [{"announcement_id": nid, "project_id": p,
                            "person_id": member(p, m, members), "department_id": m + 1,
                            "confirmed_at": SEEDED if m < 5 else None} for m in range(members)]
    return notes, recipients


def _meetings(slotted: list[int], members: int) -> tuple[list, list, list]:
    meetings, topics, decisions = [], [], []
    for n, p in enumerate(slotted, start=1):
        held = SEEDED - timedelta(days=6)  # Thursday 12 November, 10:00
        meetings.append({"id": n, "project_id": p, "occurs_on": date(2026, 11, 12), "at": "10:00",
                         "tz": "Asia/Shanghai", "minutes": 60, "scheduled_at": held,
                         "close_at": held + timedelta(hours=2), "state": "ended",
                         "started_at": held, "started_by": member(p, 0, members),
                         "ended_at": held + timedelta(minutes=55)})
        decisions.append({"project_id": p, "text": f"pilot the new form in P{p}",
                          "by_id": member(p, 0, members), "at": held, "meeting_id": n,
                          "source": "meeting"})
        for seq, state in ((1, "done"), (2, "queued"), (3, "queued")):
            topics.append({"project_id": p, "seq": seq, "topic": f"topic {seq}",
                           "presenter_id": member(p, seq, members), "minutes": 10,
                           "added_by": member(p, 0, members), "state": state,
                           "added_at": held - timedelta(days=1),
                           "done_in": n if state == "done" else None})
    return meetings, topics, decisions


def seed_extras(conn: Connection, bulk: Bulk, projects: int, members: int, items: int,
                slotted: list[int]) -> dict[str, int]:
    """Add the scheduled jobs' data to a freshly seeded database; rows per table."""
    ids = range(1, projects + 1)
    counts: dict[str, int] = {}

    def put(table: type[SQLModel], rows: Any) -> None:
        name = table.__tablename__  # type: ignore[attr-defined]
        counts[name] = counts.get(name, 0) + bulk(conn, table, rows)

    put(Department, ({"id": d, "name": f"dept {d}", "name_key": f"dept {d}", "head_id": d}
                     for d in range(1, DEPARTMENTS + 1)))
    _pin_items(conn)
    put(EscalationPolicy, ({"project_id": p, "levels": "1:owner 2:lead 4:dept-head",
                            "renotify_hours": RENOTIFY_HOURS, "started_on": date(2026, 9, 1),
                            "updated_at": SEEDED} for p in ids))
    records, events = _escalations(ids, members, items)
    put(Escalation, records)
    put(EscalationEvent, events)
    reviews, slots, decisions = _reviews(ids, members, items)
    put(Review, reviews)
    put(ReviewSlot, slots)
    put(ReviewDecision, decisions)
    for table, rows in zip((QuizBank, QuizQuestion, QuizAssignment, QuizAssignee, QuizAttempt),
                           _quizzes(ids, members), strict=True):
        put(table, rows)
    put(KpiCadence, ({"kpi_id": 2 * p - k, "project_id": p, "every": "week", "day": 3,
                      "owner_id": member(p, 1, members), "set_by": member(p, 0, members),
                      "set_at": SEEDED - timedelta(days=30)} for p in ids for k in (1, 0)))
    notes, recipients = _announcements(ids, members)
    put(Announcement, notes)
    put(AnnouncementRecipient, recipients)
    put(Feedback, ({"project_id": p, "seq": s, "text": f"step {s} is slow", "severity": sev,
                    "step": f"step {s}", "reporter_id": member(p, s + 2, members),
                    "created_at": SEEDED - timedelta(days=s), "state": state}
                   for p in ids for s, sev, state in ((1, "high", "new"),
                                                      (2, "medium", "accepted"),
                                                      (3, "low", "closed"))))
    meetings, topics, meeting_decisions = _meetings(slotted, members)
    put(Meeting, meetings)
    put(AgendaTopic, topics)
    put(Decision, ({**d, "id": projects + n} for n, d in enumerate(meeting_decisions, 1)))
    put(Readiness, ({"project_id": p, "quiz_percent": 80, "updated_at": SEEDED,
                     "rollout_at": datetime(2026, 5, 19, 1, 0, tzinfo=UTC),
                     "rollout_on": date(2026, 5, 19), "rollout_forced": False}
                    for p in ids if p % 5 == 2))
    put(OutboxMessage, ({"dedupe_key": f"seed-failed:P{p}", "platform": "console",
                         "channel_id": f"c{p}", "kind": "agenda", "project_id": p,
                         "payload": "{}", "state": "failed", "attempts": 8,
                         "next_attempt_at": SEEDED, "last_error": "not_in_channel",
                         "created_at": SEEDED - timedelta(minutes=30)}
                        for p in ids if p % 10 == 1))
    topics_of = {p: 3 for p in slotted}
    put(IdSequence, ({"project_id": p, "kind": kind, "last": last}
                     for p in ids for kind, last in (("E", 3), ("R", 3), ("N", 2), ("F", 3),
                                                     ("T", topics_of.get(p, 0)))
                     if last))
    return counts
