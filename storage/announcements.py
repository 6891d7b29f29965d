"""Announcements (正式发文/宣贯): the announcement and one row per recipient.

A recipient row is written for every person the announcement was sent to, with the
department they were in at that moment (status and the heads' lists group by it) and
when they confirmed reading it. Confirming is the only change a recipient row sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import Person, Project


class Announcement(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        Index("ix_announcement_confirm_by", "confirm_by"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int
    title: str = Field(max_length=200)
    text: str = Field(max_length=2000)
    link: str | None = Field(default=None, max_length=500)
    target: str = Field(max_length=200)  # "all", "dept A,B" or "@a @b", as stored
    confirm_by: date | None = None
    required: bool = False
    sent_at: datetime
    sent_by: int = Field(foreign_key="person.id")


class AnnouncementRecipient(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("announcement_id", "person_id"),
        Index("ix_announcementrecipient_person", "person_id"),
        Index("ix_announcementrecipient_pending", "announcement_id", "confirmed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id")
    project_id: int = Field(foreign_key="project.id")
    person_id: int = Field(foreign_key="person.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    confirmed_at: datetime | None = None


Pending = tuple[AnnouncementRecipient, Announcement]


def add(
    db: Session, announcement: Announcement, recipients: Iterable[tuple[int, int | None]]
) -> list[AnnouncementRecipient]:
    """Store the announcement and a row per (person id, department id)."""
    db.add(announcement)
    db.flush()
    rows = [
        AnnouncementRecipient(announcement_id=announcement.id, project_id=announcement.project_id,
                              person_id=person_id, department_id=dept_id)
        for person_id, dept_id in recipients
    ]
    db.add_all(rows)
    db.flush()
    return rows


def by_seq(db: Session, project_id: int, seq: int) -> Announcement | None:
    query = select(Announcement).where(
        Announcement.project_id == project_id, Announcement.seq == seq
    )
    return db.exec(query).first()


def of_project(db: Session, project_id: int) -> Sequence[Announcement]:
    query = select(Announcement).where(Announcement.project_id == project_id)
    return db.exec(query.order_by(Announcement.seq)).all()


def recipients_of(db: Session, ids: Sequence[int]) -> dict[int, list[AnnouncementRecipient]]:
    found: dict[int, list[AnnouncementRecipient]] = {i: [] for i in ids}
    if not ids:
        return found
    query = select(AnnouncementRecipient).where(
        col(AnnouncementRecipient.announcement_id).in_(set(ids))
    )
    for row in db.exec(query.order_by(AnnouncementRecipient.id)).all():
        found[row.announcement_id].append(row)
    return found


def recipient(db: Session, announcement_id: int, person_id: int) -> AnnouncementRecipient | None:
    query = select(AnnouncementRecipient).where(
        AnnouncementRecipient.announcement_id == announcement_id,
        AnnouncementRecipient.person_id == person_id,
    )
    return db.exec(query).first()


def projects_sent(db: Session, person_id: int, seq: int) -> Sequence[int]:
    """Projects whose announcement N<seq> was sent to this person."""
    query = (
        select(Announcement.project_id)
        .join(AnnouncementRecipient,
              col(AnnouncementRecipient.announcement_id) == col(Announcement.id))
        .where(Announcement.seq == seq, AnnouncementRecipient.person_id == person_id)
        .distinct()
    )
    return db.exec(query).all()


def counts(db: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(confirmed, total) per announcement id, in one query."""
    if not ids:
        return {}
    confirmed = func.count(col(AnnouncementRecipient.confirmed_at))
    query = (
        select(AnnouncementRecipient.announcement_id, confirmed, func.count())
        .where(col(AnnouncementRecipient.announcement_id).in_(set(ids)))
        .group_by(col(AnnouncementRecipient.announcement_id))
    )
    return {aid: (done, total) for aid, done, total in db.exec(query).all()}


def pending_due_between(
    db: Session, timezone: str, calendar: str, after: date, until: date,
    project_ids: Sequence[int] | None = None,
) -> Sequence[Pending]:
    """Unconfirmed recipients of announcements whose confirm-by is in (after, until], in
    projects of one timezone/calendar group (its projects `project_ids` only, when given):
    one query."""
    query = (
        select(AnnouncementRecipient, Announcement)
        .join(Announcement, col(Announcement.id) == col(AnnouncementRecipient.announcement_id))
        .join(Project, col(Project.id) == col(Announcement.project_id))
        .where(
            col(AnnouncementRecipient.confirmed_at).is_(None),
            col(Announcement.confirm_by) > after,
            col(Announcement.confirm_by) <= until,
            Project.timezone == timezone,
            Project.calendar == calendar,
        )
    )
    if project_ids is not None:
        query = query.where(col(Announcement.project_id).in_(project_ids))
    order = (Announcement.project_id, Announcement.seq, AnnouncementRecipient.id)
    return db.exec(query.order_by(*order)).all()


def people_in_departments(db: Session, department_ids: Sequence[int]) -> list[Person]:
    """Everyone in these departments, organisation-wide (members of a project or not)."""
    query = select(Person).where(col(Person.department_id).in_(set(department_ids)))
    return list(db.exec(query.order_by(Person.id)).all())


def projects_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Project]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in db.exec(select(Project).where(col(Project.id).in_(wanted))).all()}
