"""The weekly meeting: its slot, queued topics (T-ids), held meetings, attendance,
the project's decision log, and the items created while a meeting ran.

Times are aware UTC; a meeting's local date (`occurs_on`) is in the meeting's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from storage.prepared import rows_in
from storage.sequences import next_seq

SCHEDULED, RUNNING, ENDED, NOT_HELD, AUTO_CLOSED = (
    "scheduled", "running", "ended", "not-held", "auto-closed"
)
QUEUED, DONE, REMOVED = "queued", "done", "removed"
_RUNNING = "meetings.running"  # project id -> whether a meeting runs (read ahead)
_SLOTS = "meetings.slots"  # project id -> its slot or None (read ahead)


class MeetingSlot(SQLModel, table=True):
    """A project's weekly slot; `occurs_on`/`next_at` track the occurrence the job works on."""

    __tablename__ = "meetingslot"
    project_id: int = Field(primary_key=True, foreign_key="project.id")
    weekday: int  # Monday = 0
    at: str = Field(max_length=5)  # HH:MM in `tz` (None: the project's timezone)
    tz: str | None = Field(default=None, max_length=64)
    agenda_hours: int = 24  # the agenda posts this long before the start
    minutes: int = 60
    reminder_minutes: int = 15
    next_at: datetime = Field(index=True)  # when the job next has something to do for it


class AgendaTopic(SQLModel, table=True):
    __tablename__ = "agendatopic"
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_agendatopic_project_state", "project_id", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    topic: str = Field(max_length=200)
    presenter_id: int | None = Field(default=None, foreign_key="person.id")
    minutes: int = 10
    added_by: int = Field(foreign_key="person.id")
    added_at: datetime
    state: str = Field(default=QUEUED, max_length=8)  # queued | done | removed
    carried_from: int | None = Field(default=None, foreign_key="meeting.id")
    done_in: int | None = Field(default=None, foreign_key="meeting.id")


class Meeting(SQLModel, table=True):
    """One occurrence of the weekly meeting (after a holiday move)."""

    __table_args__ = (
        UniqueConstraint("project_id", "occurs_on"),
        Index("ix_meeting_state_close", "state", "close_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    occurs_on: date  # the local date it is held on
    at: str = Field(max_length=5)
    tz: str = Field(max_length=64)
    minutes: int = 60
    scheduled_at: datetime
    close_at: datetime  # closes itself (or is recorded as not held) at this time
    moved_from: date | None = None  # the planned date, when a holiday moved it
    holiday: str | None = Field(default=None, max_length=80)
    state: str = Field(default=SCHEDULED, max_length=12)
    started_at: datetime | None = None
    started_by: int | None = Field(default=None, foreign_key="person.id")
    ended_at: datetime | None = None


class Attendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    person_id: int = Field(foreign_key="person.id")
    at: datetime


class Decision(SQLModel, table=True):
    """The project's decision log: from meetings, reviews, or typed any time."""

    __table_args__ = (Index("ix_decision_project_at", "project_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    text: str = Field(max_length=1000)
    by_id: int | None = Field(default=None, foreign_key="person.id")
    at: datetime
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    source: str = Field(default="chat", max_length=16)  # meeting | review | chat


class MeetingItem(SQLModel, table=True):
    """An action item created while a meeting ran."""

    __tablename__ = "meetingitem"
    __table_args__ = (UniqueConstraint("meeting_id", "item_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    item_id: int = Field(foreign_key="actionitem.id")


# -- slots ----------------------------------------------------------------------------


def slot(db: Session, project_id: int) -> MeetingSlot | None:
    read = db.info.get(_SLOTS, {}).pop(project_id, False)  # answers one ask
    return db.get(MeetingSlot, project_id) if read is False else read


def save(db: Session, row: SQLModel) -> None:
    for memo in (_RUNNING, _SLOTS):  # a meeting's state or a slot may change
        db.info.pop(memo, None)
    db.add(row)
    db.flush()


def remove_slot(db: Session, project_id: int) -> bool:
    db.info.pop(_SLOTS, None)
    found = db.get(MeetingSlot, project_id)
    if found is not None:
        db.delete(found)
        db.flush()
    return found is not None


def due_slots(db: Session, now: datetime, limit: int) -> Sequence[int]:
    """Projects whose slot has something due (index on next_at)."""
    query = select(MeetingSlot.project_id).where(col(MeetingSlot.next_at) <= now)
    return db.exec(query.order_by(MeetingSlot.next_at).limit(limit)).all()


# -- topics ---------------------------------------------------------------------------


def add_topic(db: Session, topic: AgendaTopic) -> AgendaTopic:
    topic.seq = next_seq(db, topic.project_id, "T")
    save(db, topic)
    return topic


def topic(db: Session, project_id: int, seq: int) -> AgendaTopic | None:
    query = select(AgendaTopic).where(AgendaTopic.project_id == project_id, AgendaTopic.seq == seq)
    return db.exec(query).first()


def queued_topics(db: Session, project_id: int) -> Sequence[AgendaTopic]:
    query = select(AgendaTopic).where(
        AgendaTopic.project_id == project_id, AgendaTopic.state == QUEUED
    )
    return db.exec(query.order_by(AgendaTopic.seq)).all()


def topics_done_in(db: Session, meeting_id: int) -> Sequence[AgendaTopic]:
    query = select(AgendaTopic).where(AgendaTopic.done_in == meeting_id)
    return db.exec(query.order_by(AgendaTopic.seq)).all()


def carry_over(db: Session, project_id: int, meeting_id: int) -> None:
    """Every topic still queued is carried over from `meeting_id` to the next agenda."""
    db.exec(
        update(AgendaTopic)
        .where(col(AgendaTopic.project_id) == project_id, col(AgendaTopic.state) == QUEUED)
        .values(carried_from=meeting_id)
    )


# -- meetings -------------------------------------------------------------------------


def meeting_on(db: Session, project_id: int, day: date) -> Meeting | None:
    return next(iter(rows_in(db, Meeting, "project_id", [project_id], occurs_on=day)), None)


def ensure_meeting(db: Session, row: Meeting) -> Meeting:
    """The meeting of (project, date): `row` inserted, or the one another process made."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    values = row.model_dump(exclude={"id"})
    db.exec(dialect.insert(Meeting).values(values).on_conflict_do_nothing())
    found = meeting_on(db, row.project_id, row.occurs_on)
    assert found is not None
    return found


def remember(db: Session, project_id: int, runs: bool, slot: MeetingSlot | None) -> None:
    """Whether a meeting of the project runs, and its slot, read ahead
    (storage/opening.py): the next `running` of the project needs no statement when none
    runs, nor the next `slot`."""
    db.info.setdefault(_RUNNING, {})[project_id] = runs
    db.info.setdefault(_SLOTS, {})[project_id] = slot


def running(db: Session, project_id: int) -> Meeting | None:
    if db.info.get(_RUNNING, {}).pop(project_id, None) is False:
        return None
    return next(iter(rows_in(db, Meeting, "project_id", [project_id], state=RUNNING)), None)


def due_to_close(db: Session, now: datetime, limit: int) -> Sequence[int]:
    """Meetings past their close time still scheduled or running (index on state, close_at)."""
    query = select(Meeting.id).where(
        col(Meeting.state).in_((SCHEDULED, RUNNING)), col(Meeting.close_at) <= now
    )
    return db.exec(query.order_by(Meeting.close_at).limit(limit)).all()


def history(db: Session, project_id: int, limit: int) -> Sequence[Meeting]:
    query = select(Meeting).where(
        Meeting.project_id == project_id, col(Meeting.state).in_((ENDED, AUTO_CLOSED, NOT_HELD))
    )
    return db.exec(query.order_by(col(Meeting.occurs_on).desc()).limit(limit)).all()


def last_held(db: Session, project_id: int) -> Meeting | None:
    query = select(Meeting).where(
        Meeting.project_id == project_id, col(Meeting.state).in_((ENDED, AUTO_CLOSED))
    )
    return db.exec(query.order_by(col(Meeting.occurs_on).desc())).first()


def check_in(db: Session, meeting_id: int, person_id: int, at: datetime) -> bool:
    """Record attendance; False when the person had checked in already."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Attendance)
        .values(meeting_id=meeting_id, person_id=person_id, at=at)
        .on_conflict_do_nothing()
        .returning(Attendance.id)
    )
    return db.exec(statement).first() is not None


def attendees(db: Session, meeting_id: int) -> Sequence[int]:
    query = select(Attendance.person_id).where(Attendance.meeting_id == meeting_id)
    return db.exec(query.order_by(Attendance.at, Attendance.id)).all()


def link_item(db: Session, project_id: int, item_id: int) -> None:
    """An item created now belongs to the minutes of the project's running meeting, if any."""
    meeting = running(db, project_id)
    if meeting is not None:
        save(db, MeetingItem(meeting_id=meeting.id, item_id=item_id))


def item_ids(db: Session, meeting_id: int) -> Sequence[int]:
    query = select(MeetingItem.item_id).where(MeetingItem.meeting_id == meeting_id)
    return db.exec(query.order_by(MeetingItem.id)).all()


# -- decisions ------------------------------------------------------------------------


def record_decision(
    db: Session,
    project_id: int,
    text: str,
    by: int | None,
    at: datetime,
    meeting_id: int | None = None,
    source: str = "chat",
) -> Decision:
    """Add to the project's decision log (meetings, and later reviews, write here)."""
    row = Decision(
        project_id=project_id, text=text, by_id=by, at=at, meeting_id=meeting_id, source=source
    )
    save(db, row)
    return row


def decisions_of(db: Session, meeting_id: int) -> Sequence[Decision]:
    query = select(Decision).where(Decision.meeting_id == meeting_id)
    return db.exec(query.order_by(Decision.at, Decision.id)).all()


def search_decisions(
    db: Session, project_id: int, words: Sequence[str], limit: int
) -> Sequence[Decision]:
    """Decisions containing every word (substring, case-insensitive: Chinese has no spaces)."""
    query = select(Decision).where(Decision.project_id == project_id)
    for word in words:
        query = query.where(col(Decision.text).icontains(word, autoescape=True))
    return db.exec(query.order_by(col(Decision.at).desc()).limit(limit)).all()
