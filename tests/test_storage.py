"""Repositories on SQLite and on a real PostgreSQL server (TASKFORCE_TEST_POSTGRES_URL)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.settings import Settings
from storage import history, items, people, projects
from storage.engine import make_engine, transaction
from storage.items import ItemFilter
from storage.models import ActionItem, Project

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(any_db_url):  # noqa: ANN001, ANN201
    made = make_engine(any_db_url)
    yield made
    made.dispose()


def _project(db: Session, key: str = "P1") -> Project:
    return projects.create(db, Project(key=key, name=key, created_at=NOW))


def test_item_numbers_are_per_project_and_atomic(engine):
    with transaction(engine) as db:
        one, two = _project(db, "P1"), _project(db, "P2")
        taken = [projects.next_item_seq(db, one.id) for _ in range(3)]
        assert taken == [1, 2, 3]
        assert projects.next_item_seq(db, two.id) == 1


def test_person_platform_id_is_unique(engine):
    with transaction(engine) as db:
        people.ensure(db, "slack", "U1", "Ann")
        assert people.ensure(db, "slack", "U1", "Ann B").display_name == "Ann B"
    with pytest.raises(IntegrityError), transaction(engine) as db:
        db.add(people.Person(platform="slack", user_id="U1", display_name="x", name_key="x"))
        db.flush()


def test_listing_filters_and_counts(engine):
    with transaction(engine) as db:
        project = _project(db)
        owner = people.ensure(db, "console", "ann", "ann")
        for n, (due, status) in enumerate(
            [
                (date(2026, 11, 10), "open"),
                (date(2026, 11, 20), "blocked"),
                (date(2026, 11, 30), "done"),
                (date(2026, 11, 12), "in_progress"),
            ],
            start=1,
        ):
            items.add(
                db,
                ActionItem(
                    project_id=project.id,
                    seq=n,
                    title=f"t{n}",
                    owner_id=owner.id,
                    due_date=due,
                    original_due=due,
                    status=status,
                    created_by=owner.id,
                    created_at=NOW,
                    updated_at=NOW,
                ),
            )
        today = {project.id: date(2026, 11, 18)}
        overdue, total = items.listing(db, ItemFilter([project.id], today, overdue_only=True), 10)
        assert [i.seq for i in overdue] == [1, 4] and total == 2
        some, total = items.listing(db, ItemFilter([project.id], today), 2)
        assert len(some) == 2 and total == 3
        assert items.status_counts(db, project.id) == {
            "open": 1,
            "blocked": 1,
            "done": 1,
            "in_progress": 1,
        }


def test_history_is_kept_in_order(engine):
    with transaction(engine) as db:
        project = _project(db)
        for n in range(3):
            history.record(
                db,
                entity="item",
                entity_id=7,
                field="status",
                at=NOW,
                actor_id=None,
                project_id=project.id,
                old=n,
                new=n + 1,
            )
        assert [(h.old, h.new) for h in history.of(db, "item", 7)] == [
            ("0", "1"),
            ("1", "2"),
            ("2", "3"),
        ]


def test_a_failing_command_writes_nothing(any_db_url):
    engine = make_engine(any_db_url)
    dispatcher = Dispatcher(engine, Clock(NOW), Settings(database_url=any_db_url))

    def say(text: str) -> str:
        inbound = Inbound(
            platform="console", user_id="ann", user_name="ann", text=text, channel_id="c1"
        )
        return dispatcher.handle(inbound)[0].template

    assert say("project create Demo key DM") == "project_created"
    with Session(engine) as db:
        before = len(history.of(db, "project", projects.by_key(db, "DM").id))
    assert say("project kpi cycle baseline 15") == "error"
    assert say("add x @ann 2026-01-01") == "error"
    with Session(engine) as db:
        assert len(history.of(db, "project", projects.by_key(db, "DM").id)) == before
        assert projects.by_key(db, "DM").item_seq == 0
    engine.dispose()


def test_whole_scenario_on_each_database(any_db_url):
    from conftest import SETUP, make_chat

    chat = make_chat(any_db_url)
    for user, line in SETUP:
        chat(user, line)
    assert "Added A1" in chat("max", 'action add "Draft" owner @max due fri')
    assert "Added A2" in chat("max", "add Second @lena next fri")
    assert "is done" in chat("max", "done A1")
    assert "slip 1" in chat("lena", "action due A2 +8wd")  # later: a slip
    assert "Open items (1)" in chat("vic", "action list")
    assert "A2 Second" in chat("vic", "action list dept Legal")
    chat.runtime.engine.dispose()


def test_concurrent_commands_all_land_with_distinct_ids(any_db_url):
    from concurrent.futures import ThreadPoolExecutor

    from conftest import SETUP, make_chat

    chat = make_chat(any_db_url)
    for user, line in SETUP:
        chat(user, line)
    dispatcher = chat.runtime.dispatcher

    def add(n: int) -> str:
        inbound = Inbound(
            platform="console",
            user_id="max",
            user_name="max",
            text=f"add Parallel {n} @max fri",
            channel_id="launch",
        )
        return dispatcher.handle(inbound)[0].template

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(add, range(40)))
    assert results == ["action_added"] * 40
    with Session(chat.runtime.engine) as db:
        project = projects.by_key(db, "LA")
        seqs = sorted(items.by_seq(db, project.id, n).seq for n in range(1, 41))
        assert seqs == list(range(1, 41)) and project.item_seq == 40
    chat.runtime.engine.dispose()


def test_first_messages_of_a_new_person_racing_each_other(any_db_url):
    from concurrent.futures import ThreadPoolExecutor

    from conftest import make_chat

    chat = make_chat(any_db_url)
    dispatcher = chat.runtime.dispatcher

    def first_contact(n: int) -> str:
        inbound = Inbound(
            platform="slack",
            user_id=f"U{n % 3}",
            user_name=f"new{n % 3}",
            text="help",
            channel_id="C1",
        )
        return dispatcher.handle(inbound)[0].template

    with ThreadPoolExecutor(max_workers=9) as pool:
        assert list(pool.map(first_contact, range(27))) == ["help"] * 27
    with Session(chat.runtime.engine) as db:
        assert sorted(
            people.by_platform_id(db, "slack", f"U{n}").display_name for n in range(3)
        ) == ["new0", "new1", "new2"]
    chat.runtime.engine.dispose()
