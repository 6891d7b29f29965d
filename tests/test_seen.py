"""Once-only handling of re-delivered requests, shared by every process on one database."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.adapters.slack.once import Once
from bot.clock import Clock
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.settings import Settings
from storage import seen
from storage.engine import make_engine, transaction
from storage.models import InboundSeen

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def test_a_key_is_first_only_once_across_engines(any_db_url):
    one, two = make_engine(any_db_url), make_engine(any_db_url)
    try:
        assert seen.first_time(one, "slack:trigger_id:1", NOW) is True
        assert seen.first_time(two, "slack:trigger_id:1", NOW) is False
        assert seen.first_time(two, "slack:trigger_id:2", NOW) is True
    finally:
        one.dispose()
        two.dispose()


def test_a_replicas_memory_drops_its_own_repeats_without_the_database():
    replica_a, replica_b = Once(), Once()
    assert replica_a.first("trigger_id:77") is True
    assert replica_a.first("trigger_id:77") is False
    assert replica_b.first("trigger_id:77") is True  # the database decides, after the ack


def test_a_claim_rolls_back_with_its_transaction(any_db_url):
    engine = make_engine(any_db_url)
    try:
        with transaction(engine) as db:
            assert seen.claim(db, "slack:trigger_id:9", NOW) is True
            db.rollback()  # say the command answered "busy": the key stays free
        assert seen.first_time(engine, "slack:trigger_id:9", NOW) is True
        assert seen.first_time(engine, "slack:trigger_id:9", NOW) is False
    finally:
        engine.dispose()


def test_housekeeping_forgets_old_keys_once_a_day(sqlite_url):
    engine = make_engine(sqlite_url)
    seen.first_time(engine, "old", NOW - timedelta(days=2))
    seen.first_time(engine, "fresh", NOW - timedelta(hours=1))
    env = JobEnv(engine, Clock(NOW), Settings(database_url=sqlite_url))
    run_due(env)
    with Session(engine) as db:
        assert [row.key for row in db.exec(select(InboundSeen)).all()] == ["fresh"]
    engine.dispose()
