"""Statements built once (storage/prepared.py and the lookups every command runs): they
answer as the statements built per call did, on SQLite and PostgreSQL, and a command runs
no more statements than its budget."""

from __future__ import annotations

import gc
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

import bot.handlers  # noqa: F401  (registers the commands)
from benchmarks.run import COMMANDS
from benchmarks.seed import NOW as SEEDED_NOW
from benchmarks.statements import recorded
from benchmarks.ticks import seed
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.settings import Settings
from storage import items, meeting_sets, people, projects
from storage.engine import make_engine, transaction
from storage.items import ItemFilter
from storage.models import ActionItem, Department, Project
from storage.prepared import by_ids, hold, rows_in

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")
# statements each P2 command may run (benchmarks/run.py), BEGIN aside: more means a lookup
# crept back (a DM's caller and projects are asked once a command, not once a use)
BUDGET = {
    "action list mine": 3,
    "action list overdue": 3,
    'action add "bench item" owner @u32 due 2026-12-01': 6,
    "status": 6,
    "agenda show": 7,
    "escalation list": 3,
    "quiz status q4": 5,
    "review list": 2,
}


@pytest.fixture
def engine(any_db_url):  # noqa: ANN001, ANN201
    made = make_engine(any_db_url)
    yield made
    made.dispose()


def _seed(db: Session) -> tuple[list[Project], list[int]]:
    """Two projects, three owners in two departments, 40 items of every status and date."""
    two = [projects.create(db, Project(key=k, name=k, created_at=NOW)) for k in ("P1", "P2")]
    depts = [Department(name=n, name_key=n) for n in ("ops", "qa")]
    db.add_all(depts)
    db.flush()
    owners = []
    for n in range(3):
        person = people.ensure(db, "console", f"u{n}", f"u{n}")
        person.department_id = depts[n % 2].id
        owners.append(person.id)
    cycle = itertools.cycle(STATUSES)
    for n in range(40):
        project, due = two[n % 2], date(2026, 11, 1) + timedelta(days=n)
        db.add(ActionItem(
            project_id=project.id, seq=n + 1, title=f"t{n}", owner_id=owners[n % 3],
            due_date=due, original_due=due, status=next(cycle), created_by=owners[0],
            created_at=NOW, updated_at=NOW))
    db.flush()
    return two, owners


def _expected(db: Session, flt: ItemFilter) -> list[int]:
    everything = rows_in(db, ActionItem, "project_id", flt.project_ids)
    owners = people.by_ids(db, (i.owner_id for i in everything))
    depts = {pid: p.department_id for pid, p in owners.items()}
    kept = [
        i for i in everything
        if i.status in flt.statuses
        and (flt.owner_id is None or i.owner_id == flt.owner_id)
        and (flt.department_id is None or depts[i.owner_id] == flt.department_id)
        and (flt.due_from is None or i.due_date >= flt.due_from)
        and (flt.due_until is None or i.due_date <= flt.due_until)
        and (not flt.overdue_only or i.due_date < flt.today[i.project_id])
    ]
    return [i.id for i in sorted(kept, key=lambda i: (i.due_date, i.project_id, i.seq))]


def test_every_shape_of_listing_answers_what_its_filter_asks(engine):
    with transaction(engine) as db:
        (one, two), owners = _seed(db)
        # two timezones; each today is the due date of one of its project's active items
        todays = {one.id: date(2026, 11, 11), two.id: date(2026, 11, 28)}
        dept = people.by_ids(db, [owners[1]])[owners[1]].department_id
        shapes = [
            {}, {"overdue_only": True}, {"owner_id": owners[1]}, {"department_id": dept},
            {"due_from": date(2026, 11, 10), "due_until": date(2026, 11, 25)},
            {"overdue_only": True, "owner_id": owners[0], "due_from": date(2026, 11, 5)},
            {"statuses": ("done",), "department_id": dept},
        ]
        for shape, ids in itertools.product(shapes, ([one.id], [one.id, two.id])):
            flt = ItemFilter(ids, todays, **shape)
            expected = _expected(db, flt)
            assert expected or shape.get("statuses"), shape  # each shape finds some rows
            for limit, offset in ((50, 0), (3, 0), (3, 3)):
                db.info.clear()
                rows, total = items.listing(db, flt, limit, offset)
                assert [r.id for r in rows] == expected[offset : offset + limit], (shape, ids)
                assert total == len(expected), (shape, ids, limit, offset)
                with recorded(engine) as seen:  # the owners were read along
                    people.by_ids(db, [r.owner_id for r in rows])
                assert seen == [], (shape, ids, limit, offset)


def test_rows_in_leaves_out_none_and_repeats_orders_and_filters(engine):
    with transaction(engine) as db:
        (one, two), owners = _seed(db)
        found = rows_in(db, ActionItem, "project_id", [two.id, None, one.id, two.id],
                        ("due_date", "id"), status="blocked")
        assert found and {i.status for i in found} == {"blocked"}
        assert {i.project_id for i in found} == {one.id, two.id}
        assert [i.due_date for i in found] == sorted(i.due_date for i in found)
        with recorded(engine) as seen:
            assert rows_in(db, ActionItem, "project_id", [None]) == []
        assert seen == []


def test_by_ids_reads_only_the_rows_the_session_does_not_hold(engine):
    with transaction(engine) as db:
        (one, _two), _ = _seed(db)
        ids = [i.id for i in rows_in(db, ActionItem, "project_id", [one.id])][:4]
    with transaction(engine) as db:
        held = rows_in(db, ActionItem, "id", ids[:2])
        with recorded(engine) as seen:
            found = by_ids(db, ActionItem, [ids[3], None, ids[1], ids[0], ids[2], ids[1]])
        assert [i.id for i in found] == sorted(ids)
        assert found[:2] == sorted(held, key=lambda i: i.id)  # the very rows, not copies
        [read] = seen  # one statement, for the two rows not held
        listed = read.split("actionitem.id IN (")[1].split(") ORDER BY")[0]
        assert listed.count(",") == 1, listed
    with transaction(engine) as db:  # rows only read along are kept by `hold`
        hold(db, list(rows_in(db, ActionItem, "id", ids)))
        gc.collect()
        with recorded(engine) as seen:
            assert [i.id for i in by_ids(db, ActionItem, ids)] == sorted(ids)
        assert seen == []


def test_people_found_for_a_project_bring_their_membership(engine):
    with transaction(engine) as db:
        (one, two), owners = _seed(db)
        ann = people.by_ids(db, owners[:1])[owners[0]]
        projects.set_membership(db, one.id, ann.id, "lead")
    for by, key in (("user_id", ann.user_id), ("name", ann.display_name)):
        with transaction(engine) as db:
            [found] = projects.people_in(db, one.id, "console", by, key)
            [elsewhere] = projects.people_in(db, two.id, "console", by, key)
            with recorded(engine) as seen:
                assert found.id == ann.id and people.by_platform_id(db, "console", ann.user_id)
                assert projects.membership(db, one.id, ann.id).role == "lead"
                assert projects.membership(db, two.id, ann.id) is None
            assert seen == [], by
            assert elsewhere is found
    with transaction(engine) as db:
        assert projects.people_in(db, one.id, "console", "name", "nobody") == []


def test_the_next_item_number_shows_on_the_project_the_session_holds(engine):
    with transaction(engine) as db:
        project = projects.create(db, Project(key="P1", name="P1", created_at=NOW))
        taken = [projects.next_item_seq(db, project.id) for _ in range(2)]
        assert taken == [1, 2] and project.item_seq == 2
        assert project not in db.dirty


def test_a_session_remembers_people_found_but_not_people_missing(engine):
    with transaction(engine) as db:
        assert people.by_platform_id(db, "console", "ann") is None
        made = people.ensure(db, "console", "ann", "Ann")  # the miss was not remembered
        with recorded(engine) as seen:
            assert people.by_platform_id(db, "console", "ann") is made
        assert seen == []


def test_a_membership_change_shows_in_the_projects_of_the_same_session(engine):
    with transaction(engine) as db:
        one = projects.create(db, Project(key="P1", name="P1", created_at=NOW))
        two = projects.create(db, Project(key="P2", name="P2", created_at=NOW))
        ann = people.ensure(db, "console", "ann", "Ann")
        projects.set_membership(db, one.id, ann.id, "member")
        assert [p.key for p, _ in projects.projects_of(db, ann.id)] == ["P1"]
        projects.set_membership(db, two.id, ann.id, "lead")
        mine = projects.projects_of(db, ann.id)
        assert [(p.key, m.role) for p, m in mine] == [("P1", "member"), ("P2", "lead")]


def test_each_benchmarked_command_stays_within_its_statements(tmp_path):
    url = f"sqlite:///{tmp_path}/small.db"
    seed(url, 20)
    engine = make_engine(url)
    dispatcher = Dispatcher(engine, Clock(SEEDED_NOW), Settings(database_url=url))
    ran = {}
    for text, dm in COMMANDS:
        inbound = Inbound(platform="console", user_id="u31", user_name="u31", text=text,
                          channel_id="dm:u31" if dm else "c4", is_dm=dm)
        dispatcher.handle(inbound)  # the first run may set up a connection
        with recorded(engine) as seen:
            replies = dispatcher.handle(inbound)
        assert replies and replies[0].template != "error", (text, replies)
        ran[text] = len([s for s in seen if not s.startswith(("BEGIN", "PRAGMA"))])
    engine.dispose()
    over = {text: (n, BUDGET[text]) for text, n in ran.items() if n > BUDGET[text]}
    assert not over, over


def test_the_agendas_item_sections_come_from_one_statement_and_match_a_plain_filter(engine):
    with transaction(engine) as db:
        (one, two), _ = _seed(db)
        todays = {one.id: date(2026, 11, 11), two.id: date(2026, 11, 20)}
        untils = {one.id: date(2026, 11, 17), two.id: date(2026, 11, 30)}
        everything = rows_in(db, ActionItem, "project_id", [one.id, two.id])
        wanted = {
            "overdue": lambda i, t, u: i.status in items.ACTIVE and i.due_date < t,
            "blocked": lambda i, t, u: i.status == "blocked",
            "due_soon": lambda i, t, u: (i.status in ("open", "in_progress")
                                         and t <= i.due_date <= u),
        }
        with recorded(engine) as seen:
            found = dict(zip(wanted, meeting_sets.agenda_items(db, todays, untils, 3), strict=True))
        assert len(seen) == 2  # one statement per (today, until)
        for name, keep in wanted.items():
            for pid in (one.id, two.id):
                kept = sorted((i for i in everything if i.project_id == pid
                               and keep(i, todays[pid], untils[pid])),
                              key=lambda i: (i.due_date, i.seq))
                rows, total = found[name].get(pid, ([], 0))
                assert [i.id for i in rows] == [i.id for i in kept[:3]], (name, pid)
                assert total == len(kept), (name, pid)
        overdue_and_blocked = {i.id for rows, _ in found["overdue"].values() for i in rows
                               if i.status == "blocked"}
        assert overdue_and_blocked  # an item may sit in two sections
        owners = {i.owner_id for f in found.values() for rows, _ in f.values() for i in rows}
        with recorded(engine) as seen:  # the owners were read along
            assert set(people.by_ids(db, owners)) == owners
        assert seen == []
