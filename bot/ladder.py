"""The escalation ladder's rules: policy levels, who each level reaches, and the notices.

Shared by the escalation commands, the item-change hooks and the 09:00 ladder job
(jobs never import handlers). Targets (COMMANDS.md, "How the ladder runs"):
`owner` the item's owner; `lead` every lead and the process owner; `dept-head` the
head of the item owner's department, or the process owner when the owner is that
head or the department has none (the message says why); `target` (a conflict) the
process owner and the named person or department head.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.errors import CommandError
from bot.messages import Label, Notice
from bot.notices import dm
from bot.views import item_row
from storage import escalations, people
from storage.escalations import Escalation, EscalationPolicy
from storage.models import ActionItem, Department, Membership, Person, Project

RANK = {"owner": 0, "lead": 1, "dept-head": 2, "target": 2}
LEVEL_WORDS = {
    "owner": "owner",
    "负责人": "owner",
    "lead": "lead",
    "组长": "lead",
    "dept-head": "dept-head",
    "部门负责人": "dept-head",
    "部门主管": "dept-head",
}
MAX_DAYS = 250
MANAGER_ROLES = ("lead", "process-owner")


@dataclass(frozen=True)
class Level:
    days: int
    name: str


def parse_levels(words: Sequence[str]) -> list[Level]:
    """`1:owner 3:lead 5:dept-head` -> levels sorted by days; CommandError when malformed."""
    if not words:
        raise CommandError("parse.missing", name=Label("field", "levels"))
    found: dict[int, Level] = {}
    for word in words:
        days, sep, name = word.replace("：", ":").partition(":")
        level = LEVEL_WORDS.get(name.strip().lower())
        if not sep or level is None or not days.strip().isdigit():
            raise CommandError("escalation.bad_level", value=word)
        number = int(days)
        if not 1 <= number <= MAX_DAYS:
            raise CommandError("escalation.bad_days", value=word, limit=MAX_DAYS)
        if number in found:
            raise CommandError("escalation.repeated_days", value=word)
        found[number] = Level(number, level)
    levels = sorted(found.values(), key=lambda lv: lv.days)
    for lower, higher in zip(levels, levels[1:], strict=False):
        if RANK[higher.name] < RANK[lower.name]:
            raise CommandError("escalation.descending", value=f"{higher.days}:{higher.name}")
    return levels


def levels_of(policy: EscalationPolicy | None) -> list[Level]:
    return parse_levels((policy.levels if policy else escalations.DEFAULT_LEVELS).split())


def format_levels(levels: Iterable[Level]) -> str:
    return " ".join(f"{lv.days}:{lv.name}" for lv in levels)


def reached(levels: Sequence[Level], count: int) -> Level | None:
    """The highest level a count of working days overdue has reached."""
    hit = [lv for lv in levels if lv.days <= count]
    return hit[-1] if hit else None


def higher(level: Level, record: Escalation) -> bool:
    """Whether a level is above the record's current one."""
    if RANK[level.name] != RANK[record.level]:
        return RANK[level.name] > RANK[record.level]
    return level.name == record.level and level.days > record.level_days


def above(levels: Sequence[Level], record: Escalation) -> Level | None:
    """The first level of the policy above the record's current one."""
    return next(
        (
            lv
            for lv in levels
            if RANK[lv.name] > RANK[record.level]
            or (lv.name == record.level and lv.days > record.level_days)
        ),
        None,
    )


class Directory:
    """The people a set of projects' ladders may reach, loaded in a few queries."""

    def __init__(self, db: Session, project_ids: Iterable[int], person_ids: Iterable[int]) -> None:
        ids = sorted(set(project_ids))
        self.db = db
        query = (
            select(Membership.project_id, Membership.role, Person)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(col(Membership.project_id).in_(ids), col(Membership.role).in_(MANAGER_ROLES))
            .order_by(Person.id)
        )
        self.leads: dict[int, list[Person]] = {pid: [] for pid in ids}
        self.process_owner: dict[int, Person] = {}
        for project_id, role, person in db.exec(query).all() if ids else []:
            self.leads[project_id].append(person)
            if role == "process-owner":
                self.process_owner[project_id] = person
        self.people = people.by_ids(db, person_ids)
        self.depts: dict[int, Department] = people.departments_by_ids(
            db, (p.department_id for p in self.people.values())
        )
        heads = people.by_ids(db, (d.head_id for d in self.depts.values() if d.head_id))
        self.people.update(heads)

    def add_dept(self, db: Session, dept: Department) -> None:
        self.depts[dept.id] = dept
        if dept.head_id and dept.head_id not in self.people:
            self.people.update(people.by_ids(db, [dept.head_id]))

    def head_of(self, dept_id: int | None, owner: Person | None, project_id: int
                ) -> list[tuple[Person, str | None]]:
        if dept_id and dept_id not in self.depts:  # a record's target department
            for found in people.departments_by_ids(self.db, [dept_id]).values():
                self.add_dept(self.db, found)
        dept = self.depts.get(dept_id) if dept_id else None
        head = self.people.get(dept.head_id) if dept and dept.head_id else None
        why = None if head else "no_head"
        if head is not None and owner is not None and head.id == owner.id:
            why = "owner_is_head"
        if why is None and head is not None:
            return [(head, None)]
        po = self.process_owner.get(project_id)
        return [(po, why)] if po else []

    def targets(self, project_id: int, level: str, owner: Person | None,
                record: Escalation | None = None) -> list[tuple[Person, str | None]]:
        """Who a level reaches, each with why they stand in for someone (or None)."""
        found: list[tuple[Person, str | None]] = []
        if level == "owner" and owner is not None:
            found = [(owner, None)]
        elif level == "lead":
            found = [(p, None) for p in self.leads.get(project_id, [])]
        elif level == "dept-head":
            dept_id = owner.department_id if owner else record.target_dept_id if record else None
            found = self.head_of(dept_id, owner, project_id)
        elif level == "target" and record is not None:
            po = self.process_owner.get(project_id)
            if record.target_id and record.target_id in self.people:
                found.append((self.people[record.target_id], None))
            elif record.target_dept_id:
                found += self.head_of(record.target_dept_id, None, project_id)
            found += [(po, None)] if po else []
        unique: dict[int, tuple[Person, str | None]] = {}
        for person, why in found:
            unique.setdefault(person.id, (person, why))
        return list(unique.values())


def record_ref(record: Escalation, project: Project) -> str:
    return f"{project.key}/E{record.seq}"


def dm_data(record: Escalation | None, project: Project, item: ActionItem | None,
            owner: Person | None, today: date, **extra: Any) -> dict[str, Any]:
    """What an escalation DM shows (every template of the kind reads this)."""
    extra = {"kind": "level", "days": None, "raised_by": None, "review": None, **extra}
    return {
        "eta": record.eta if record else None,
        "project": project.key,
        "project_name": project.name,
        "id": f"E{record.seq}" if record else None,
        "ref": record_ref(record, project) if record else None,
        "level": Label("esc_level", record.level if record else "owner"),
        "item": item_row(item, owner, today) if item else None,
        "reason": record.reason if record and record.raised_by else None,
        "overdue": bool(record and record.raised_by is None and (item or extra["review"])),
        **extra,
    }


def notify(db: Session, record: Escalation, project: Project,
           recipients: Sequence[tuple[Person, str | None]], key: str, now: datetime,
           data: dict[str, Any], skip: int | None = None, sink: list[dict] | None = None
           ) -> list[Notice]:
    """DM each recipient (with why they are told) and note each in the record's events."""
    notices = []
    for person, why in recipients:
        escalations.event(db, record, "notified", now, sink, level=record.level,
                          person_id=person.id, note=why)
        if person.id == skip:
            continue
        reason = Label("esc_why", why) if why else None
        notices.append(dm(person, "escalation_dm", project.locale,
                          f"esc:{record.id}:{record.level}:{key}", why=reason, **data))
    record.last_notified_at = now
    return notices


CLOSING = {"done": "done", "cancel": "cancelled", "reopen": "reopened", "due": "due-moved"}


def close_for_item(db: Session, item: ActionItem, verb: str, now: datetime,
                   actor_id: int | None) -> list[str]:
    """Resolve the item's open records when it is done, cancelled, reopened or its due date
    moves into the future (the new date starts a new ladder); other verbs change nothing."""
    code = CLOSING.get(verb)
    records = escalations.open_for_items(db, [item.id]) if code else []
    for record in records:
        resolve(db, record, code, now, None)
        record.ladder_key = None  # the item's next ladder (a later due date) is a new record
        escalations.event(db, record, "resolved", now, actor_id=actor_id, note=code)
    return [f"E{r.seq}" for r in records]


def resolve(db: Session, record: Escalation, resolution: str, now: datetime,
            by: int | None) -> None:
    record.state, record.resolution = "resolved", resolution
    record.resolved_by, record.resolved_at = by, now
    db.add(record)


REVIEW_SLOT = "review-slot"


def close_for_review(db: Session, review: Any, slots: Sequence[Any], now: datetime,
                     actor_id: int | None) -> list[str]:
    """Resolve the open ladder records of a review's slots that no longer wait: a slot
    decided, or the whole review approved, sent back for changes or cancelled."""
    settled = {s.id: s.state for s in slots if s.state != "pending"}
    if review.state != "open":
        settled = {s.id: review.state for s in slots}
    records = escalations.open_for_subjects(db, REVIEW_SLOT, list(settled))
    for record in records:
        code = settled[record.subject_id]
        code = "review-cancelled" if code == "cancelled" else code
        resolve(db, record, code, now, None)
        escalations.event(db, record, "resolved", now, actor_id=actor_id, note=code)
    return [f"E{r.seq}" for r in records]
