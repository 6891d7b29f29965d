"""Late review slots on the escalation ladder (part of the 09:00 ladder morning).

Each pending slot of an open review climbs its project's ladder like an overdue item,
counted in working days past the review's due date (the first working day after it is
1; reviews already late when the project's ladder started count from that day). The
first `owner` level is the overdue notice to the slot's reviewer (or delegate) and the
project's leads and process owner; a later `owner` level reminds the reviewer again;
the first level above `owner` creates the E-record (`review-slot`, the slot id, ladder
key `slot:<slot>:<round>:<due>`). `lead` reaches the leads and the process owner (and a
line of the channel's grouped post), `dept-head` the slot department's head, or the
process owner when the reviewer is that head. The reviewer hears of every level too, so
they can acknowledge it. The late pending slots are read with their chunk of projects
(bot.jobs.escalations.climb_chunk).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from bot.jobs.escalations import Climb, WorkCount
from bot.jobs.periods import ONE_DAY
from bot.ladder import (
    RANK,
    REVIEW_SLOT,
    Directory,
    Level,
    above,
    dm_data,
    higher,
    levels_of,
    notify,
    reached,
)
from bot.notices import dm
from bot.reviews_view import late_recipients, review_row, slot_label
from bot.workdays import WorkCalendar
from storage import escalations, people, reviews
from storage.escalations import Escalation
from storage.models import Person, Project
from storage.reviews import Review, ReviewSlot

Slot = tuple[ReviewSlot, Review, Project]
WHY = {"owner_is_head": "reviewer_is_head"}


def key_of(slot: ReviewSlot, review: Review) -> str:
    return f"slot:{slot.id}:{review.round}:{review.due_date.isoformat()}"


def climb_slots(climb: Climb, zone: str, calendar_name: str, project_ids: list[int],
                lapsed: list[tuple[Escalation, Project]]) -> None:
    """Add the late review slots of a chunk of the group's projects to the morning's climb,
    then the acknowledged slot records whose ETA lapsed."""
    db, calendar = climb.db, climb.calendar
    rows = reviews.pending_due_between(db, zone, calendar_name, None, climb.day - ONE_DAY,
                                       project_ids)
    projects = reviews.projects_by_ids(db, {r.project_id for _, r in rows})
    found = [(s, r, projects[r.project_id]) for s, r in rows]
    if found:
        SlotLadder(climb, calendar, found).slots(found)
    if not lapsed:
        return
    by_id = {p.id: p for _, p in lapsed}
    late = reviews.pending_slots_by_ids(db, [r.subject_id for r, _ in lapsed if r.subject_id])
    ladder = SlotLadder(climb, calendar, [(s, r, by_id[r.project_id])
                                          for s, r in late if r.project_id in by_id])
    ladder.lapsed(lapsed, {s.id: (s, r) for s, r in late})


class SlotLadder:
    def __init__(self, climb: Climb, calendar: WorkCalendar, every: list[Slot]) -> None:
        self.climb, self.day = climb, climb.day
        self.policies = escalations.policies(climb.db, list({p.id for *_, p in every}))
        asked = [s.delegate_id or s.reviewer_id for s, *_ in every]
        self.directory = Directory(climb.db, (p.id for *_, p in every), asked)
        for dept in people.departments_by_ids(climb.db, (s.department_id for s, *_ in every)
                                              ).values():
            self.directory.add_dept(climb.db, dept)
        self.names = people.by_ids(climb.db, [s.person_id for s, *_ in every if s.person_id])
        starts = [self._start(r, p) for _, r, p in every] + [self.day]
        self.count = WorkCount(calendar, min(starts), self.day)

    def _start(self, review: Review, project: Project) -> date:
        policy = self.policies.get(project.id)
        started = policy.started_on if policy else self.day
        return max(review.due_date, started - ONE_DAY)

    def _days(self, review: Review, project: Project) -> tuple[int, int]:
        start = self._start(review, project)
        before = self.count.after(start, self.climb.previous) if self.climb.previous > start else 0
        return before, self.count.after(start, self.day)

    def slots(self, found: list[Slot]) -> None:
        keys = [key_of(s, r) for s, r, _ in found]
        records = escalations.by_ladder_keys(self.climb.db, keys)
        new: list[tuple[Slot, Level, int, str]] = []
        for (slot, review, project), key in zip(found, keys, strict=True):
            levels = levels_of(self.policies.get(project.id))
            before, count = self._days(review, project)
            crossed = [lv for lv in levels if before < lv.days <= count]
            if not crossed:
                continue
            top, record = crossed[-1], records.get(key)
            if record is not None and (record.state != "open" or not higher(top, record)):
                continue  # acknowledged: the climb waits for the ETA; resolved: over
            if top.name == "owner":
                if record is None:
                    self._owner(slot, review, project, count, first=top == levels[0])
            elif record is None:
                new.append(((slot, review, project), top, count, key))
            else:
                self._raise(record, (slot, review, project), top, count, "level")
        self._create(new)

    def _create(self, new: list[tuple[Slot, Level, int, str]]) -> None:
        climb, wanted = self.climb, {}
        for (_, _, project), *_rest in new:
            wanted[project.id] = wanted.get(project.id, 0) + 1
        last = escalations.take_seqs(climb.db, wanted)
        rows = []
        for (slot, review, project), top, _, key in new:
            seq = last[project.id] - wanted[project.id] + 1
            wanted[project.id] -= 1
            rows.append({
                "project_id": project.id, "seq": seq, "subject_kind": REVIEW_SLOT,
                "subject_id": slot.id, "item_id": None, "due_date": review.due_date,
                "ladder_key": key, "level": top.name, "level_days": top.days,
                "reason": "overdue", "state": "open", "renotified": 0,
                "created_at": climb.now, "last_notified_at": climb.now,
            })
        ids = escalations.insert_records(climb.db, rows)
        for (subject, top, count, key), row in zip(new, rows, strict=True):
            record = SimpleNamespace(**row, id=ids[key], raised_by=None, eta=None,
                                     target_id=None, target_dept_id=None)
            escalations.event(climb.db, record, "raised", climb.now, climb.events,
                              level=top.name)
            self._raise(record, subject, top, count, "level", persist=False)

    def lapsed(self, lapsed: list[tuple[Escalation, Project]],
               late: dict[int, tuple[ReviewSlot, Review]]) -> None:
        climb = self.climb
        for record, project in lapsed:
            found = late.get(record.subject_id or 0)
            record.state = "open"
            escalations.event(climb.db, record, "lapsed", climb.now, climb.events,
                              level=record.level,
                              note=record.eta.isoformat() if record.eta else None)
            climb.db.add(record)
            if found is None:
                continue  # the slot was decided meanwhile: its decision resolves the record
            subject = (*found, project)
            levels = levels_of(self.policies.get(project.id))
            count = self._days(found[1], project)[1]
            choices = [lv for lv in (above(levels, record), reached(levels, count))
                       if lv is not None and higher(lv, record)]
            if choices:
                best = max(choices, key=lambda lv: (RANK[lv.name], lv.days))
                self._raise(record, subject, best, count, "lapsed")
                continue
            recipients = self._targets(subject, "dept-head")
            po = self.directory.process_owner.get(project.id)
            if po is not None and all(p.id != po.id for p, _ in recipients):
                recipients.append((po, None))
            data = self._data(record, subject, count, "lapsed")
            climb._add(project, notify(climb.db, record, project, recipients,
                                       f"lapsed:{self.day.isoformat()}", climb.now, data,
                                       sink=climb.events))

    def _asked(self, slot: ReviewSlot) -> Person | None:
        return self.directory.people.get(slot.delegate_id or slot.reviewer_id)

    def _targets(self, subject: Slot, level: str) -> list[tuple[Person, str | None]]:
        slot, _, project = subject
        asked = self._asked(slot)
        found: list[tuple[Person, str | None]] = []
        if level == "lead":
            found = [(p, None) for p in self.directory.leads.get(project.id, [])]
        elif level == "dept-head":
            dept = slot.department_id or (asked.department_id if asked else None)
            found = [(p, WHY.get(why or "", why))
                     for p, why in self.directory.head_of(dept, asked, project.id)]
        if asked is not None:
            found.append((asked, "reviewer"))
        unique: dict[int, tuple[Person, str | None]] = {}
        for person, why in found:
            unique.setdefault(person.id, (person, why))
        return list(unique.values())

    def _data(self, record: Any, subject: Slot, count: int, kind: str) -> dict[str, Any]:
        slot, review, project = subject
        asked = self._asked(slot)
        label = slot_label(slot, self.directory.depts, self.names)
        about = {"id": f"R{review.seq}", "title": review.title, "slot": label,
                 "due": review.due_date, "reviewer": asked.display_name if asked else "-"}
        return dm_data(record, project, None, None, self.day, days=count, kind=kind,
                       review=about)

    def _raise(self, record: Any, subject: Slot, level: Level, count: int, kind: str,
               persist: bool = True) -> None:
        climb, project = self.climb, subject[2]
        record.level, record.level_days, record.renotified = level.name, level.days, 0
        escalations.event(climb.db, record, "level", climb.now, climb.events,
                          level=level.name, note=kind)
        data = self._data(record, subject, count, kind)
        climb._add(project, notify(climb.db, record, project, self._targets(subject, level.name),
                                   "level", climb.now, data, sink=climb.events))
        if persist:
            climb.db.add(record)
        if level.name == "lead":
            climb.posts.setdefault(project.id, (project, []))[1].append(data)

    def _owner(self, slot: ReviewSlot, review: Review, project: Project, count: int,
               first: bool) -> None:
        """The overdue notice: first to the reviewer and the leads, later the reviewer."""
        asked = self._asked(slot)
        if asked is None:
            return
        leads = self.directory.leads.get(project.id, []) if first else []
        row = review_row(project, review, [slot], self.day)
        label = slot_label(slot, self.directory.depts, self.names)
        key = f"review-overdue:{slot.id}:{review.round}:{review.due_date.isoformat()}"
        key += "" if first else f":{count}"
        self.climb._add(project, [
            dm(person, "review_overdue", project.locale, f"{key}:{person.id}", review=row,
               slot=label, days=count, to=role, reviewer=asked.display_name)
            for person, role in late_recipients([asked], leads, count)
        ])
