"""A command's first read brings the channel's project, the caller, the caller's
membership and the calendar's version in one statement, and the command's later asks
find them; a view that names many people reads them once. Every answer is the one the
plain lookup gives, and nothing stays remembered past what it may."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from benchmarks.statements import recorded
from benchmarks.ticks import seed, week
from bot import escalation_view
from storage import calendar, meetings, opening, people, projects
from storage.engine import make_engine, transaction
from storage.escalations import Escalation
from storage.meetings import Meeting, MeetingSlot
from storage.models import Project

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(any_db_url):  # noqa: ANN001, ANN201
    made = make_engine(any_db_url)
    with transaction(made) as db:
        project = projects.create(db, Project(key="LA", name="LA", created_at=NOW))
        projects.bind(db, project.id, "console", "launch", None)
        ann = people.ensure(db, "console", "ann", "Ann")
        people.ensure(db, "console", "bob", "Bob")
        projects.set_membership(db, project.id, ann.id, "lead")
    yield made
    made.dispose()


def _asked(seen: list[str]) -> list[str]:
    """The lookups among what ran (not a transaction's BEGIN and settings)."""
    return [s for s in seen if not s.startswith(("BEGIN", "PRAGMA")) and "set_config" not in s]


def _plain(engine) -> dict:  # noqa: ANN001
    with Session(engine) as db:
        project = projects.by_channel(db, "console", "launch")
        ann = people.by_platform_id(db, "console", "ann")
        return {"project": project.id, "ann": ann.id, "version": calendar.version(db),
                "role": projects.membership(db, project.id, ann.id).role}


def test_the_first_read_answers_four_lookups_in_one_statement(engine):
    plain = _plain(engine)
    with transaction(engine, command=True) as db:
        with recorded(engine) as first:
            opening.read_ahead(db, "console", "ann", "launch")
        with recorded(engine) as later:
            project = projects.by_channel(db, "console", "launch")
            ann = people.by_platform_id(db, "console", "ann")
            version = calendar.version(db)
            member = projects.membership(db, project.id, ann.id)
            assert people.by_ids(db, [ann.id]) == {ann.id: ann}
        assert (len(_asked(first)), _asked(later)) == (1, [])
        assert {"project": project.id, "ann": ann.id, "version": version,
                "role": member.role} == plain
        with recorded(engine) as again:  # the version and the membership are answered once
            calendar.version(db)
            projects.membership(db, project.id, ann.id)
        assert len(_asked(again)) == 2


def test_a_stranger_a_non_member_a_dm_and_an_unbound_channel(engine):
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "zoe", "launch")  # never seen: nobody to remember
        assert people.by_platform_id(db, "console", "zoe") is None
        assert people.ensure(db, "console", "zoe", "Zoe").display_name == "Zoe"
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "bob", "launch")
        project = projects.by_channel(db, "console", "launch")
        bob = people.by_platform_id(db, "console", "bob")
        with recorded(engine) as seen:
            assert projects.membership(db, project.id, bob.id) is None
        assert _asked(seen) == []
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "ann", None)
        with recorded(engine) as seen:
            assert projects.by_channel(db, "console", "elsewhere") is None
        assert len(_asked(seen)) == 1  # a DM's read leaves channel lookups to themselves
        opening.read_ahead(db, "console", "ann", "elsewhere")
        with recorded(engine) as seen:
            assert projects.by_channel(db, "console", "elsewhere") is None
        assert _asked(seen) == []


def test_a_membership_change_is_not_hidden_by_what_was_read_ahead(engine):
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "bob", "launch")
        project = projects.by_channel(db, "console", "launch")
        bob = people.by_platform_id(db, "console", "bob")
        projects.set_membership(db, project.id, bob.id, "member")
        assert projects.membership(db, project.id, bob.id).role == "member"


def test_another_replicas_calendar_change_shows_in_the_next_first_read(any_db_url, engine):
    other = make_engine(any_db_url)
    try:
        with transaction(engine, command=True) as db:
            opening.read_ahead(db, "console", "ann", "launch")
            before = calendar.version(db)
        with transaction(other) as db:
            calendar.put(db, date(2026, 12, 5), "workday", "", None, NOW)
        with transaction(engine, command=True) as db:
            opening.read_ahead(db, "console", "ann", "launch")
            after = calendar.version(db)
    finally:
        other.dispose()
    assert after == (before[0] + 1, before[1] + 1)


def test_people_are_remembered_only_when_read_along_or_found_by_platform_id(engine):
    with transaction(engine) as db:
        ids = [p.id for p in (people.by_platform_id(db, "console", u) for u in ("ann", "bob"))]
    with transaction(engine) as db:
        with recorded(engine) as seen:
            people.by_ids(db, ids)
            people.by_ids(db, ids)  # a job's counts do not depend on who was asked before
        assert len(_asked(seen)) == 2
        people.remember_all(db, people.by_ids(db, ids).values())  # as a listing does
        with recorded(engine) as seen:
            found = people.by_ids(db, [*ids, None])
        assert _asked(seen) == [] and sorted(found) == sorted(ids)


def test_what_escalation_rows_name_is_read_in_one_statement_a_kind(tmp_path):
    url = f"sqlite:///{tmp_path}/seeded.db"
    seed(url, 20)
    week(url)  # the week's jobs raise quiz and review-slot records besides the seed's
    made = make_engine(url)
    with transaction(made) as db:
        records = db.exec(select(Escalation).where(Escalation.state == "open")).all()
        assert {r.subject_kind for r in records} >= {"item", "quiz", "review-slot"}
        with recorded(made) as seen:
            found = escalation_view.lookups(db, records)
        slots = {r.subject_id for r in records if r.subject_kind == "review-slot"}
        quizzes = [r.id for r in records if r.subject_kind == "quiz"]
        assert set(found["slots"]) == slots and set(found["quizzes"]) == set(quizzes)
        assert all(s["slot"] != "?" and s["reviewer"] != "-" for s in found["slots"].values())
        assert all(q["key"] != "?" for q in found["quizzes"].values())
        assert {r.item_id for r in records if r.item_id} == set(found["items"])
    made.dispose()
    assert len(_asked(seen)) == 5  # items, slots, quizzes, departments, people


def _read_ahead(db: Session) -> Project:
    """A command's first read in #launch as ann; the channel's project."""
    opening.read_ahead(db, "console", "ann", "launch")
    return projects.by_channel(db, "console", "launch")


def test_whether_a_meeting_runs_is_read_ahead_and_not_hidden_by_a_start(engine):
    with transaction(engine, command=True) as db:
        project = _read_ahead(db)
        with recorded(engine) as none_runs:
            assert meetings.running(db, project.id) is None
        meeting = meetings.ensure_meeting(db, Meeting(
            project_id=project.id, occurs_on=date(2026, 11, 18), at="10:00", tz="UTC",
            minutes=60, scheduled_at=NOW, close_at=NOW, state=meetings.SCHEDULED))
        opening.read_ahead(db, "console", "ann", "launch")
        meeting.state = meetings.RUNNING
        meetings.save(db, meeting)  # started after the first read: asked again
        assert meetings.running(db, project.id) is meeting
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "ann", "launch")
        with recorded(engine) as one_runs:
            assert meetings.running(db, project.id).id == meeting.id
    assert _asked(none_runs) == []
    assert len(_asked(one_runs)) == 1


def test_the_meeting_slot_is_read_ahead_once_and_not_hidden_by_a_change(engine):
    with transaction(engine, command=True) as db:
        project = _read_ahead(db)
        with recorded(engine) as none_yet:
            assert meetings.slot(db, project.id) is None
        opening.read_ahead(db, "console", "ann", "launch")
        meetings.save(db, MeetingSlot(project_id=project.id, weekday=2, at="10:00",
                                      next_at=NOW))
        assert meetings.slot(db, project.id) is not None  # set after the first read
    with transaction(engine, command=True) as db:
        opening.read_ahead(db, "console", "ann", "launch")
        with recorded(engine) as read_ahead:
            found = meetings.slot(db, project.id)
        assert (found.weekday, found.at) == (2, "10:00")
        opening.read_ahead(db, "console", "ann", "launch")
        assert meetings.remove_slot(db, project.id)
        assert meetings.slot(db, project.id) is None  # removed after the first read
    assert _asked(none_yet) == _asked(read_ahead) == []
