"""The escalation ladder at 09:00 project time on working days, per timezone/calendar group.

A group's morning is claimed as job `escalations` (period the date), like the morning
sweep, and runs only on that working day itself (at 09:00, or the first tick after it
that day). For each overdue active item it counts working days overdue (the first
working day after the due date is 1; items already overdue when the project's ladder
started count from that day) and fires the highest level crossed since the group's
previous ladder morning that has not fired yet: after downtime one notice, for the
level reached now. Day 1's `owner` level is the morning sweep's overdue alert; a
later `owner` level is a second DM; the first level above `owner` creates the E-record.

Acknowledged records whose ETA has lapsed (09:00 of the next working day after it)
climb one level, or to the level the count reached, whichever is higher; at the top
they re-notify the department head and the process owner. `lead` notices add a line
to the channel's one grouped escalation post of the morning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, col, select

from bot.jobs.groups import backing_off, claim_day, each_group
from bot.jobs.periods import ONE_DAY, morning_day
from bot.jobs.registry import JobEnv, job
from bot.ladder import (
    RANK,
    REVIEW_SLOT,
    Directory,
    Level,
    above,
    dm_data,
    levels_of,
    notify,
    reached,
)
from bot.ladder import higher as _higher
from bot.messages import Notice
from bot.notices import dm, to_channels
from bot.outbox.enqueue import enqueue_many
from bot.workdays import WorkCalendar, calendar_for
from storage import escalations, sweeps
from storage.engine import transaction
from storage.escalations import Escalation, EscalationPolicy
from storage.models import ActionItem, Person, Project

log = logging.getLogger(__name__)
JOB = "escalations"


@job(JOB)
def escalation_ladder(env: JobEnv) -> int:
    return each_group(env, JOB, _climb_group)


def _climb_group(env: JobEnv, zone: str, calendar_name: str, scope: str) -> int:
    now = env.clock.now()
    waiting, failed = backing_off(env, JOB, scope)
    if waiting:
        return 0
    calendar = calendar_for(calendar_name)
    local_now = env.clock.local(zone)
    day = morning_day(local_now)
    if local_now.date() != day or not calendar.is_working(day):
        return 0  # levels fire on working days only, and never on a later day
    with transaction(env.engine) as db:
        claimed = claim_day(db, env, JOB, scope, day, failed)
        if claimed is None:
            return 0
        escalations.ensure_policies(db, zone, calendar_name, day, now)
        climb, queued = Climb(db, calendar, day, claimed[0], now), 0
        for chunk in sweeps.group_chunks(db, zone, calendar_name):
            climb_chunk(climb, zone, calendar_name, chunk)
            queued += enqueue_many(db, climb.outgoing(), now, env.settings.timezone)
        return queued


def climb_chunk(climb: Climb, zone: str, calendar_name: str, project_ids: list[int]) -> None:
    """One chunk of the group's projects climbs: overdue items, acknowledged records whose
    ETA lapsed, then late review slots (all of a project's lines in its one post)."""
    db, day, calendar = climb.db, climb.day, climb.calendar
    lapsed = [
        (r, p)
        for r, p in escalations.lapsed(db, zone, calendar_name, day, project_ids)
        if r.eta and calendar.next_working_day(r.eta + ONE_DAY) <= day
    ]
    slots = [(r, p) for r, p in lapsed if r.subject_kind == REVIEW_SLOT]
    lapsed = [(r, p) for r, p in lapsed if r.subject_kind != REVIEW_SLOT]
    found = sweeps.overdue_of(db, project_ids, day - ONE_DAY)
    climb.prepare(found, lapsed)
    climb.items(found)
    climb.lapsed(lapsed)
    from bot.jobs.escalations_reviews import climb_slots  # it builds on this module

    climb_slots(climb, zone, calendar_name, project_ids, slots)


class WorkCount:
    """Working days in (due, day], from prefix sums over one range of dates (reaching
    back further when asked about an earlier due date)."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.calendar, self.last = calendar, last
        self._count_from(first)

    def _count_from(self, first: date) -> None:
        self.first = first
        self.sums: dict[date, int] = {}
        total, d = 0, first
        while d <= self.last:
            total += self.calendar.is_working(d)
            self.sums[d] = total
            d += ONE_DAY

    def after(self, due: date, day: date) -> int:
        if day <= due:
            return 0
        if due < self.first - ONE_DAY:
            self._count_from(due + ONE_DAY)
        return self.sums[day] - self.sums.get(due, 0)


class Climb:
    """One group's ladder morning: which records climb, whom to tell, the channel posts.

    It climbs a chunk of projects at a time (`climb_chunk`: `prepare`, `items`, `lapsed`,
    the review slots), then `outgoing` hands over the chunk's DMs and posts."""

    def __init__(self, db: Session, calendar: WorkCalendar, day: date, previous: date,
                 now: datetime) -> None:
        self.db, self.calendar, self.day, self.previous, self.now = (
            db, calendar, day, previous, now)
        self.notices: list[tuple[Notice, int]] = []
        self.events: list[dict[str, Any]] = []  # inserted at once by `flush`
        self.posts: dict[int, tuple[Project, list[dict[str, Any]]]] = {}

    def prepare(self, found: Sequence[tuple[ActionItem, Project]],
                lapsed: list[tuple[Escalation, Project]]) -> None:
        """Look up what the next `items(found)` or `lapsed(lapsed)` needs."""
        db, day = self.db, self.day
        projects = {p.id: p for _, p in found} | {p.id: p for _, p in lapsed}
        self.policies = escalations.policies(db, list(projects))
        self.lapsed_items = {
            i.id: i for i in _items(db, [r.item_id for r, _ in lapsed if r.item_id])
        }
        owners = [i.owner_id for i, _ in found] + [i.owner_id for i in self.lapsed_items.values()]
        self.directory = Directory(db, projects, owners)
        starts = [self._start(i, p) for i, p in found] + [day]
        self.count = WorkCount(self.calendar, min(starts), day)

    def _policy(self, project: Project) -> EscalationPolicy | None:
        return self.policies.get(project.id)

    def _start(self, item: ActionItem, project: Project) -> date:
        policy = self._policy(project)
        started = policy.started_on if policy else self.day
        return max(item.due_date, started - ONE_DAY)

    def items(self, found: Sequence[tuple[ActionItem, Project]]) -> None:
        keys = [f"item:{i.id}:{i.due_date.isoformat()}" for i, _ in found]
        records = escalations.by_ladder_keys(self.db, keys)
        new: list[tuple[ActionItem, Project, Person | None, Level, int, str]] = []
        for (item, project), key in zip(found, keys, strict=True):
            levels = levels_of(self._policy(project))
            start = self._start(item, project)
            count = self.count.after(start, self.day)
            before = self.count.after(start, self.previous) if self.previous > start else 0
            crossed = [lv for lv in levels if before < lv.days <= count]
            if not crossed:
                continue
            top, record = crossed[-1], records.get(key)
            owner = self.directory.people.get(item.owner_id)
            if record is not None and (record.state != "open" or not _higher(top, record)):
                continue  # acknowledged: the climb waits for the ETA; resolved: over
            if top.name == "owner":
                if record is None and top.days > 1:  # day 1 is the morning's overdue alert
                    self._owner_again(item, project, owner, count)
                continue
            if record is None:
                new.append((item, project, owner, top, count, key))
                continue
            self._raise(record, project, item, owner, top, count, "level")
        self._create(new)

    def _create(self, new: list[tuple[ActionItem, Project, Person | None, Level, int, str]]
                ) -> None:
        """The morning's new records: numbered, inserted and noted in a few statements."""
        wanted: dict[int, int] = {}
        for _, project, *_rest in new:
            wanted[project.id] = wanted.get(project.id, 0) + 1
        last = escalations.take_seqs(self.db, wanted)
        rows = []
        for item, project, _, top, _, key in new:
            seq = last[project.id] - wanted[project.id] + 1
            wanted[project.id] -= 1
            rows.append({
                "project_id": project.id, "seq": seq, "subject_kind": "item",
                "subject_id": item.id, "item_id": item.id, "due_date": item.due_date,
                "ladder_key": key, "level": top.name, "level_days": top.days,
                "reason": "overdue", "state": "open", "renotified": 0,
                "created_at": self.now, "last_notified_at": self.now,
            })
        ids = escalations.insert_records(self.db, rows)
        for (item, project, owner, top, count, key), row in zip(new, rows, strict=True):
            record = SimpleNamespace(**row, id=ids[key], raised_by=None, eta=None,
                                     target_id=None, target_dept_id=None)
            escalations.event(self.db, record, "raised", self.now, self.events, level=top.name)
            self._raise(record, project, item, owner, top, count, "level", persist=False)

    def lapsed(self, lapsed: list[tuple[Escalation, Project]]) -> None:
        for record, project in lapsed:
            item = self.lapsed_items.get(record.item_id or 0)
            owner = self.directory.people.get(item.owner_id) if item else None
            levels = levels_of(self._policy(project))
            count = 0
            if record.ladder_key and item is not None:
                count = self.count.after(self._start(item, project), self.day)
            choices = [lv for lv in (above(levels, record), reached(levels, count))
                       if lv is not None and _higher(lv, record)]
            record.state = "open"
            escalations.event(self.db, record, "lapsed", self.now, self.events, level=record.level,
                              note=record.eta.isoformat() if record.eta else None)
            if record.level == "target":
                choices = []
            if choices:
                best = max(choices, key=lambda lv: (RANK[lv.name], lv.days))
                self._raise(record, project, item, owner, best, count, "lapsed")
                continue
            # at the top: the department head and the process owner hear again
            level = "target" if record.level == "target" else "dept-head"
            recipients = self.directory.targets(project.id, level, owner, record)
            po = self.directory.process_owner.get(project.id)
            if po is not None and all(p.id != po.id for p, _ in recipients):
                recipients.append((po, None))
            data = dm_data(record, project, item, owner, self.day, days=count, kind="lapsed")
            self._add(project, notify(self.db, record, project, recipients,
                                      f"lapsed:{self.day.isoformat()}", self.now, data,
                                      sink=self.events))
            self.db.add(record)

    def _raise(self, record: Escalation, project: Project, item: ActionItem | None,
               owner: Person | None, level: Level, count: int, kind: str,
               persist: bool = True) -> None:
        record.level, record.level_days, record.renotified = level.name, level.days, 0
        escalations.event(self.db, record, "level", self.now, self.events, level=level.name,
                          note=kind)
        recipients = self.directory.targets(project.id, level.name, owner, record)
        data = dm_data(record, project, item, owner, self.day, days=count, kind=kind)
        self._add(project, notify(self.db, record, project, recipients, "level", self.now, data,
                                  sink=self.events))
        if persist:
            self.db.add(record)
        if level.name == "lead":
            self.posts.setdefault(project.id, (project, []))[1].append(data)

    def _owner_again(self, item: ActionItem, project: Project, owner: Person | None,
                     count: int) -> None:
        if owner is None:
            return
        data = dm_data(None, project, item, owner, self.day, days=count, kind="level", why=None)
        key = f"ladder-owner:{item.id}:{item.due_date.isoformat()}:{count}"
        self._add(project, [dm(owner, "escalation_dm", project.locale, key, **data)])

    def _add(self, project: Project, notices: list[Notice]) -> None:
        self.notices += [(n, project.id) for n in notices]

    def flush(self) -> list[tuple[Notice, int]]:
        """The events so far written; the DMs so far, handed over (and forgotten here)."""
        escalations.add_events(self.db, self.events)
        notices, self.notices, self.events = self.notices, [], []
        return notices

    def outgoing(self) -> list[tuple[Notice, int]]:
        """The DMs so far, then one grouped post per channel of each project with `lead`
        lines (the events written): a project's lines all come from one chunk."""
        bindings = sweeps.bindings_of(self.db, list(self.posts))
        for project_id, (project, rows) in self.posts.items():
            data = {"project": project.key, "project_name": project.name, "rows": rows,
                    "date": self.day}
            self._add(project, to_channels(bindings[project_id], "escalation_post", data,
                                           project.locale, f"esc-post:{self.day.isoformat()}"))
        self.posts = {}
        return self.flush()


def _items(db: Session, ids: list[int]) -> list[ActionItem]:
    if not ids:
        return []
    return list(db.exec(select(ActionItem).where(col(ActionItem.id).in_(set(ids)))).all())
