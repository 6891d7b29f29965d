"""The DingTalk adapter end to end: dingtalk-stream's client against a local fake
gateway and OpenAPI (tests/test_dingtalk_fakes.py), the core on a temp SQLite DB.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import Session, select
from test_dingtalk_fakes import (
    CARD_TOPIC,
    CLIENT_ID,
    CLIENT_SECRET,
    ROBOT_CODE,
    FakeDingTalk,
)

from bot.adapters.dingtalk.config import DingTalkConfig, prepare_environment
from bot.runtime import Runtime, build
from bot.settings import Settings
from storage.models import ActionItem, Person

NOW = datetime.fromisoformat("2026-11-18T10:00:00+08:00")  # a Wednesday in Shanghai
WEBHOOK = "/robot/sendBySession"
GROUP = "cid-group-1"


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as fake:
        yield fake
        assert fake.stray_acks == [], "every ack must echo the messageId of a pushed frame"


@pytest.fixture
def runtime(tmp_path: Path, fake: FakeDingTalk) -> Runtime:
    return build(
        Settings(
            database_url=f"sqlite:///{tmp_path}/t.db",
            now=NOW,
            locale=None,
            dingtalk_client_id=CLIENT_ID,
            dingtalk_client_secret=CLIENT_SECRET,
            dingtalk_robot_code=ROBOT_CODE,
            dingtalk_api_url=fake.api_url,
        )
    )


@contextmanager
def serving(adapter) -> Iterator[None]:  # noqa: ANN001
    """Run the adapter's event loop in a thread, as `run_dingtalk` does in the main one."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(adapter.serve(stop),))
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(20)
        assert not thread.is_alive(), "the adapter did not stop"
        loop.close()


@pytest.fixture
def adapter(runtime: Runtime, fake: FakeDingTalk):  # noqa: ANN201
    config = DingTalkConfig.from_settings(runtime.settings)
    prepare_environment(config.api_url)
    from bot.adapters.dingtalk.app import DingTalkAdapter

    adapter = DingTalkAdapter(runtime, config, min_delay=0.05)
    adapter.replier.pause = 0.05
    with serving(adapter):
        fake.wait(lambda: fake.connections == 1)
        yield adapter


def say(fake: FakeDingTalk, text: str, *, who=("u-wang", "王磊"), conv=GROUP, dm=False, at=()):  # noqa: ANN001, ANN201
    """Push one robot message and return the webhook post that answers it."""
    before = len(fake.posts_to(WEBHOOK))
    message_id = fake.push(
        fake.robot_message(
            text, staff_id=who[0], nick=who[1], conversation=conv, dm=dm, at_users=at
        )
    )
    post = fake.wait_posts(WEBHOOK, before + 1)[before]
    ack = fake.wait(lambda: fake.acks.get(message_id))
    assert ack["code"] == 200 and ack["headers"]["messageId"] == message_id
    return post


def shown(post: dict) -> str:
    body = post["body"]
    return (body.get("markdown") or body.get("actionCard"))["text"]


ZHANG = ("u-zhang", "$:LWCP_v1:$zhang")
WANG = ("u-wang", "$:LWCP_v1:$wang")


def set_up_project(fake: FakeDingTalk) -> None:
    created = say(fake, " project create 审批提速")
    assert "P1" in shown(created) and "审批提速" in shown(created)
    say(fake, " dept add 产品部 head @王磊\u2005", at=(WANG,))
    joined = say(fake, " member add @张三\u2005dept 产品部", at=(ZHANG,))
    assert "张三" in shown(joined)
    added = say(fake, " action add 「更新审批模板」 owner @张三\u2005due fri", at=(ZHANG,))
    assert "A1" in shown(added) and "更新审批模板" in shown(added)


def item(runtime: Runtime) -> tuple[ActionItem, Person]:
    with Session(runtime.engine) as db:
        found = db.exec(select(ActionItem)).one()
        return found, db.get(Person, found.owner_id)


def test_group_commands_map_at_users_to_members(fake, adapter, runtime) -> None:  # noqa: ANN001
    set_up_project(fake)
    posts = fake.posts_to(WEBHOOK)
    assert all(p["session"] == GROUP for p in posts)
    created, added = posts[0]["body"], posts[-1]["body"]
    assert created["msgtype"] == "markdown"
    assert "已创建" in created["markdown"]["text"]  # a DingTalk project speaks zh-CN
    # in a group a button click cannot reach the bot: the commands are given as text
    assert added["msgtype"] == "markdown"
    assert "start A1" in added["markdown"]["text"] and "done A1" in added["markdown"]["text"]
    action, owner = item(runtime)
    assert (owner.user_id, owner.display_name) == ("u-zhang", "张三")
    assert action.title == "更新审批模板"
    assert fake.gateway_opens[0]["subscriptions"] == [
        {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"},
        {"type": "CALLBACK", "topic": CARD_TOPIC},
    ]


def test_private_reply_in_a_group_ats_the_sender(fake, adapter) -> None:  # noqa: ANN001
    post = say(fake, " 项目 信息")  # no project bound here yet: an error, privately
    body = post["body"]
    assert body["at"] == {"atUserIds": ["u-wang"], "isAtAll": False}
    assert body["markdown"]["text"].startswith("@u-wang ")


def test_dm_command_buttons_and_card_callback(fake, adapter, runtime) -> None:  # noqa: ANN001
    set_up_project(fake)
    zhang = ("u-zhang", "张三")
    listed = say(fake, "tf action list mine", who=zhang, conv="cid-dm-zhang", dm=True)
    assert listed["session"] == "cid-dm-zhang" and "at" not in listed["body"]
    assert "更新审批模板" in shown(listed)

    card = say(fake, "action show A1", who=zhang, conv="cid-dm-zhang", dm=True)["body"]
    assert card["msgtype"] == "actionCard"
    buttons = {b["title"]: b["actionURL"] for b in card["actionCard"]["btns"]}
    start = buttons["▶ 开始"]
    assert start.startswith("dtmd://dingtalkclient/sendMessage?content=")
    # a click makes the client send the button's command as the user's message
    command = parse_qs(urlparse(start).query)["content"][0]
    assert command == "start A1"
    say(fake, command, who=zhang, conv="cid-dm-zhang", dm=True)
    assert item(runtime)[0].status == "in_progress"

    callback = {
        "outTrackId": "card-1",
        "corpId": "dingcorp",
        "userId": "u-zhang",
        "type": "actionCallback",
        "spaceType": "IM_GROUP",
        "spaceId": GROUP,
        "userIdType": 1,
        "extension": "{}",
        "content": json.dumps(
            {"cardPrivateData": {"actionIds": ["done"], "params": {"command": "done A1"}}}
        ),
    }
    message_id = fake.push(callback, topic=CARD_TOPIC)
    post = fake.wait_posts("/v1.0/robot/groupMessages/send", 1)[0]["body"]
    assert post["openConversationId"] == GROUP and post["robotCode"] == ROBOT_CODE
    assert "A1" in json.loads(post["msgParam"])["text"]
    assert fake.wait(lambda: fake.acks.get(message_id))["code"] == 200
    assert item(runtime)[0].status == "done"


def test_reconnects_when_the_gateway_drops_the_socket(fake, adapter) -> None:  # noqa: ANN001
    say(fake, "help", conv="cid-dm-wang", dm=True)
    dropped = time.monotonic()
    fake.drop()
    fake.wait(lambda: fake.connections == 2)
    reconnect = time.monotonic() - dropped
    assert len(fake.gateway_opens) == 2  # a fresh ticket for the new connection
    assert reconnect < 2.0, f"reconnecting took {reconnect:.2f}s"
    ping = fake.push({"opaque": "abc"}, topic="ping", kind="SYSTEM")
    assert json.loads(fake.wait(lambda: fake.acks.get(ping))["data"]) == {"opaque": "abc"}
    post = say(fake, "帮助", conv="cid-dm-wang", dm=True)
    assert "待办 新增" in shown(post)
    assert adapter.client.connections == 2


def test_a_slow_reply_does_not_stall_other_conversations(fake, adapter) -> None:  # noqa: ANN001
    fake.webhook_delay["cid-slow"] = 1.5
    started = time.monotonic()
    for conv, who in (("cid-slow", ("u-a", "甲")), ("cid-fast", ("u-b", "乙"))):
        fake.push(
            fake.robot_message("help", staff_id=who[0], nick=who[1], conversation=conv, dm=True)
        )
    first = fake.wait_posts(WEBHOOK, 1)[0]
    fast = time.monotonic() - started
    assert first["session"] == "cid-fast" and fast < 1.0, f"fast reply after {fast:.2f}s"
    assert fake.wait_posts(WEBHOOK, 2)[1]["session"] == "cid-slow"


def test_a_throttled_webhook_reply_is_retried(fake, adapter) -> None:  # noqa: ANN001
    fake.webhook_errors.append(130101)  # "send too fast"
    post = say(fake, "help", conv="cid-dm-wang", dm=True)
    assert "待办 新增" in shown(post)
    assert fake.posts_to("/v1.0/robot/oToMessages/batchSend") == []


def test_a_redelivered_message_is_answered_once(fake, adapter) -> None:  # noqa: ANN001
    message = fake.robot_message("help", staff_id="u-a", nick="甲", conversation="cid-a", dm=True)
    fake.push(message)
    fake.push(message)  # DingTalk sends it again when an ack was lost
    fake.wait_posts(WEBHOOK, 1)
    time.sleep(0.3)
    assert len(fake.posts_to(WEBHOOK)) == 1
    assert len(fake.acks) == 2  # both frames were acked all the same


def test_cancelling_before_the_first_connection_is_clean(fake) -> None:  # noqa: ANN001
    config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, "http://127.0.0.1:9")
    prepare_environment(config.api_url)
    from bot.adapters.dingtalk.client import StreamClient
    from bot.adapters.dingtalk.openapi import OpenApi

    async def start_then_cancel() -> None:
        client = StreamClient(config, OpenApi(config), min_delay=0.05)
        task = asyncio.create_task(client.start())
        await asyncio.sleep(0.3)  # the gateway refuses: the client waits and retries
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(start_then_cancel())


def test_a_sender_without_a_staff_id_is_a_read_only_guest(fake, adapter, runtime) -> None:  # noqa: ANN001
    set_up_project(fake)
    message = fake.robot_message(
        " action add 「外部建议」 owner @张三\u2005due fri",
        staff_id="", nick="外部顾问", conversation=GROUP, at_users=(ZHANG,),
    )
    del message["senderStaffId"]
    message["senderId"] = "$:LWCP_v1:$guest0001"
    before = len(fake.posts_to(WEBHOOK))
    fake.push(message)
    post = fake.wait_posts(WEBHOOK, before + 1)[before]
    assert "访客" in shown(post) and "只能查看" in shown(post)
    assert "LWCP" not in json.dumps(post["body"], ensure_ascii=False)
    assert "at" not in post["body"]
    action, _ = item(runtime)  # still only A1
    assert action.title == "更新审批模板"
