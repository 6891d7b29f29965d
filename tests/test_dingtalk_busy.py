"""DingTalk on a busy database: the stream frame is acked at once, and the command's
own transaction decides the answer: "busy" (in Chinese) after a few seconds, with
nothing written, rather than a wait behind someone else's lock."""

from __future__ import annotations

import sqlite3
import time

import pytest
import test_dingtalk_stream
from sqlmodel import Session, select
from test_dingtalk_stream import WEBHOOK, shown

from storage import engine as engine_module
from storage.models import InboundSeen, Person

fake = test_dingtalk_stream.fake  # the fixtures: fake gateway + OpenAPI, runtime, adapter
runtime = test_dingtalk_stream.runtime
adapter = test_dingtalk_stream.adapter


def test_a_message_on_a_locked_database_is_acked_and_answered_busy(
    fake, adapter, runtime, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    monkeypatch.setattr(engine_module, "COMMAND_WAIT_S", 1.0)
    path = str(runtime.engine.url).removeprefix("sqlite:///")
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        message = fake.robot_message(
            "help", staff_id="u-a", nick="甲", conversation="cid-a", dm=True
        )
        sent = time.monotonic()
        message_id = fake.push(message)
        fake.wait(lambda: fake.acks.get(message_id))
        acked = time.monotonic() - sent
        post = fake.wait_posts(WEBHOOK, 1, timeout=10)[0]
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert acked < 1.0
    assert "系统正忙" in shown(post)
    with Session(runtime.engine) as db:
        assert db.exec(select(Person)).all() == []  # nothing written, not even the key
        assert db.exec(select(InboundSeen)).all() == []
    again = fake.robot_message("help", staff_id="u-a", nick="甲", conversation="cid-a", dm=True)
    fake.push(again)
    assert "待办 新增" in shown(fake.wait_posts(WEBHOOK, 2, timeout=10)[1])
