"""A busy database is an answer: a command that cannot get the write lock within a few
seconds says "busy, try again" in the user's language and writes nothing. Background
work is cut into short transactions that let waiting commands go first."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import SETUP, Chat, make_chat
from sqlalchemy import create_engine, event, text
from sqlmodel import Session, select

from bot.messages import Inbound
from storage import engine as engine_module
from storage import seen
from storage.engine import commands_waiting, make_engine, transaction, yield_to_commands
from storage.models import InboundSeen

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "COMMAND_WAIT_S", 0.4)


def hold_sqlite_lock(url: str) -> sqlite3.Connection:
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def set_up(chat: Chat) -> None:
    for user, line in SETUP:
        chat(user, line)


def test_a_command_on_a_locked_sqlite_database_answers_busy_and_writes_nothing(
    chat: Chat,
) -> None:
    set_up(chat)
    before = chat.snapshot()
    lock = hold_sqlite_lock(str(chat.runtime.engine.url))
    try:
        started = time.monotonic()
        answer = chat("olivia", 'action add "Blocked" owner @max due fri')
        waited = time.monotonic() - started
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "busy right now" in answer and "nothing was changed" in answer
    assert "Usage" not in answer
    assert 0.3 < waited < 2.0
    assert chat.snapshot() == before
    assert "Added A1" in chat("olivia", 'action add "Blocked" owner @max due fri')


def test_the_busy_answer_follows_the_projects_language(chat: Chat) -> None:
    set_up(chat)
    chat("olivia", 'project create "发布审批" key ZH locale zh-cn', channel="zh")
    lock = hold_sqlite_lock(str(chat.runtime.engine.url))
    try:
        answer = chat("olivia", "action list", channel="zh")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "系统正忙" in answer and "busy" not in answer


def test_a_request_key_is_claimed_once_across_processes(sqlite_url: str) -> None:
    one, two = make_chat(sqlite_url), make_chat(sqlite_url)
    inbound = Inbound("console", "olivia", 'project create "Once" key ON', "c1", user_name="o")
    try:
        first = one.runtime.dispatcher.handle(inbound, once="slack:trigger_id:7")
        again = two.runtime.dispatcher.handle(inbound, once="slack:trigger_id:7")
        other = two.runtime.dispatcher.handle(inbound, once="slack:trigger_id:8")
    finally:
        one.runtime.engine.dispose()
        two.runtime.engine.dispose()
    assert first[0].template != "error" and again == []
    assert other[0].template == "error"  # it ran: the key ON is taken now


def test_background_work_lets_a_waiting_command_go_first(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(chat)
    engine = chat.runtime.engine
    lock = hold_sqlite_lock(str(engine.url))
    monkeypatch.setattr(engine_module, "COMMAND_WAIT_S", 3.0)
    answers: list[str] = []
    command = threading.Thread(target=lambda: answers.append(chat("olivia", "action list")))
    command.start()
    deadline = time.monotonic() + 3
    while not commands_waiting(engine) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert commands_waiting(engine) == 1
    threading.Timer(0.3, lambda: (lock.execute("ROLLBACK"), lock.close())).start()
    started = time.monotonic()
    yield_to_commands(engine, limit=2.5)
    assert time.monotonic() - started < 2.0  # returned once the command had the lock
    assert commands_waiting(engine) == 0
    command.join(5)
    assert answers and "busy" not in answers[0]


def test_forgetting_old_keys_takes_short_transactions(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with transaction(engine) as db:
        for n in range(250):
            seen.claim(db, f"old:{n}", NOW - timedelta(days=2))
        seen.claim(db, "fresh", NOW)
    commits: list[int] = []
    event.listen(engine, "commit", lambda conn: commits.append(1))
    assert seen.forget_before(engine, NOW - seen.KEEP, chunk=100) == 250
    assert len(commits) == 3
    with Session(engine) as db:
        assert list(db.exec(select(InboundSeen.key)).all()) == ["fresh"]
    engine.dispose()


def test_postgres_command_waits_seconds_for_a_row_lock_then_answers_busy(
    postgres_url: str,
) -> None:
    chat = make_chat(postgres_url)
    set_up(chat)
    other = create_engine(postgres_url)
    try:
        with other.connect() as conn:
            conn.execute(text("LOCK TABLE actionitem IN EXCLUSIVE MODE"))  # others may still read
            started = time.monotonic()
            answer = chat("olivia", 'action add "Blocked" owner @max due fri')
            waited = time.monotonic() - started
            listed = chat("olivia", "action list")
            conn.rollback()
        assert "busy right now" in answer and waited < 3.0
        assert "busy" not in listed  # reading is not held up
        assert "Added A1" in chat("olivia", 'action add "Blocked" owner @max due fri')
    finally:
        other.dispose()
        chat.runtime.engine.dispose()
