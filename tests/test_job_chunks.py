"""The morning jobs that can meet a group's whole backlog hold one chunk of it at a time:
the 09:00 sweep, the ladder (items, lapsed records, review slots and posts), the review,
KPI and announcement sweeps take a group's projects a chunk at a time (storage.sweeps.group_chunks),
the quiz sweep its due assignments a chunk at a time (bot.jobs.quizzes.CHUNK). What they
write is the same whatever the chunk size."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.copies import copy_of
from benchmarks.jobs import prepared, run_job
from bot.jobs import quizzes
from storage import sweeps
from storage.engine import make_engine

PROJECTS = 12


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepared(Path(tmp_path_factory.mktemp("ladder-chunks")), PROJECTS, items=30)


CHUNKED = {
    "escalations": (sweeps, "GROUP_CHUNK"),
    "morning": (sweeps, "GROUP_CHUNK"),
    "announcements": (sweeps, "GROUP_CHUNK"),
    "reviews": (sweeps, "GROUP_CHUNK"),
    "kpis": (sweeps, "GROUP_CHUNK"),
    "quiz": (quizzes, "CHUNK"),
}


def _written(url: str) -> dict[str, list]:
    engine = make_engine(url)
    with engine.connect() as conn:
        records = dict(conn.execute(text(
            "SELECT id, 'P' || project_id || '/E' || seq FROM escalation")).all())
        found = {
            "outbox": sorted(_by_record(row, records) for row in conn.execute(text(
                "SELECT dedupe_key, platform, channel_id, user_id, kind, project_id, payload "
                "FROM outbox WHERE dedupe_key NOT LIKE 'seed-%'")).all()),
            "records": conn.execute(text(
                "SELECT project_id, seq, subject_kind, subject_id, ladder_key, level, state "
                "FROM escalation ORDER BY project_id, seq")).all(),
            "events": conn.execute(text(  # by record: ids follow the order of chunks
                "SELECT e.project_id, e.seq, v.kind, v.level, v.person_id, v.note "
                "FROM escalationevent v JOIN escalation e ON e.id = v.escalation_id "
                "ORDER BY e.project_id, e.seq, v.id")).all(),
        }
    engine.dispose()
    return found


Sent = namedtuple("Sent", "dedupe_key platform channel_id user_id kind project_id payload")


def _by_record(row: tuple, records: dict[int, str]) -> Sent:
    """A notice keyed `esc:<record id>:…` keyed by the record's project and number instead:
    record ids follow the order the chunks came in."""
    key, *rest = row
    if key.startswith("esc:"):
        _, record, tail = key.split(":", 2)
        key = f"esc:{records[int(record)]}:{tail}"
    return Sent(key, *rest)


def _run(url: str, job: str, n: int, chunk: int | None, monkeypatch: pytest.MonkeyPatch
         ) -> dict:
    with copy_of(url, n) as copy:
        with monkeypatch.context() as patch:
            if chunk is not None:
                patch.setattr(*CHUNKED[job], chunk)
            run_job(copy, job)
        return _written(copy)


def test_the_ladder_writes_the_same_in_chunks_of_any_size(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _run(database, "escalations", 0, None, monkeypatch)
    assert len({row.project_id for row in whole["outbox"]}) == PROJECTS
    assert any(row.level != "owner" for row in whole["records"])  # records climbed
    assert any(row.kind == "escalation_post" for row in whole["outbox"])  # lead lines posted
    assert any(row.kind == "lapsed" for row in whole["events"])  # and lapsed ETAs climbed
    slots = {row.project_id for row in whole["records"] if row.subject_kind == "review-slot"}
    assert slots == set(range(1, PROJECTS + 1))  # late review slots climbed in every project

    for n, chunk in enumerate((1, 5), start=1):
        assert _run(database, "escalations", n, chunk, monkeypatch) == whole, chunk


@pytest.mark.parametrize(("job", "kinds", "first", "sizes"), [
    ("morning", {"overdue_post", "overdue_dm"}, 20, (1, 5)),  # grouped posts, owners' DMs
    ("quiz", {"quiz_remind_dm", "quiz_overdue_head", "quiz_overdue_owner"}, 10, (1, 3)),
    ("announcements", {"announcement", "announcement_late"}, 30, (1, 5)),  # reminders, lists
    ("reviews", {"review_remind"}, 40, (1, 5)),
    ("kpis", {"kpi_ask"}, 50, (1, 5)),
])
def test_the_sweep_writes_the_same_in_chunks_of_any_size(
    database: str, monkeypatch: pytest.MonkeyPatch, job: str, kinds: set[str], first: int,
    sizes: tuple[int, ...],
) -> None:
    whole = _run(database, job, first, None, monkeypatch)
    assert len({row.project_id for row in whole["outbox"]}) == PROJECTS
    assert kinds <= {row.kind for row in whole["outbox"]}

    for n, chunk in enumerate(sizes, start=first + 1):
        assert _run(database, job, n, chunk, monkeypatch) == whole, chunk


def test_working_days_are_counted_from_any_due_date_asked() -> None:
    """A lapsed record's item may be due before every item of the chunk it is counted
    with: the count reaches back to it (2026's National Day week included)."""
    from datetime import date, timedelta

    from bot.jobs.escalations import WorkCount
    from bot.workdays import calendar_for

    calendar = calendar_for("cn")
    day = date(2026, 10, 20)
    count = WorkCount(calendar, day - timedelta(days=2), day)
    for due in (date(2026, 9, 25), date(2026, 10, 9), day - timedelta(days=1)):
        expected = sum(
            calendar.is_working(due + timedelta(days=n)) for n in range(1, (day - due).days + 1)
        )
        assert count.after(due, day) == expected, due
    assert count.after(date(2026, 9, 25), day) == 13  # 7 days of holiday, 2 make-up Saturdays
