"""Messages that fit the platform: DingTalk's 20,000 bytes as sent, Slack's blocks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from slack_fake import BOT_TOKEN, FakeSlack
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, MAX_ROBOT_BYTES, ROBOT_CODE, FakeDingTalk

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.inbound import Route
from bot.adapters.dingtalk.openapi import OpenApi
from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.dingtalk.replies import Replier
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.adapters.slack import SlackRenderer, make_sender
from bot.messages import Target
from bot.settings import Settings

GROUP = Target("dingtalk", channel_id="cid-618")
TITLE = "大促选品与备货计划" * 22  # 198 characters


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as fake:
        yield fake


@pytest.fixture
def long_list(chat) -> str:
    """`待办 列表` of a zh-CN project with 60 items of 200-character Chinese titles,
    rendered for a DingTalk group."""
    chat("wang", "项目 创建 618大促 编号 S618 牵头部门 运营部", channel="g")
    for n in range(60):
        chat("wang", f"待办 新增 「{TITLE}{n:02d}」 负责人 @wang 截止 月底", channel="g")
    (reply,) = chat.runtime.dispatcher.handle(chat.adapter.inbound("待办 列表"))
    return DingTalkRenderer().for_reply(reply, dm=False).to_payload()


def test_a_long_list_reaches_a_dingtalk_group_whole(fake, long_list) -> None:
    config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.api_url)
    DingTalkSender(OpenApi(config), ROBOT_CODE).deliver(GROUP, long_list)
    posts = fake.posts_to("/v1.0/robot/groupMessages/send")
    assert posts and fake.sizes
    assert all(size <= MAX_ROBOT_BYTES for size in fake.sizes)
    sent = "".join(p["body"]["msgParam"] for p in posts)
    assert "\\u" not in sent  # sent as UTF-8, not escaped
    for n in (0, 29):  # every listed item arrived
        assert f"{TITLE}{n:02d}" in sent


def test_a_long_reply_through_the_session_webhook_is_split(fake, long_list) -> None:
    from bot.adapters.dingtalk.markdown import DingTalkMessage

    config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.api_url)
    replier = Replier(DingTalkSender(OpenApi(config), ROBOT_CODE), pause=0)
    route = Route(
        fallback=GROUP,
        is_dm=False,
        webhook=f"{fake.api_url}/robot/sendBySession?session=g",
        at_user="u-wang",
    )
    assert replier.send(route, DingTalkMessage.parse(long_list), private=True) == "webhook"
    posts = fake.posts_to("/robot/sendBySession")
    assert posts and all(size <= MAX_ROBOT_BYTES for size in fake.sizes)
    assert f"{TITLE}29" in "".join(p["body"]["markdown"]["text"] for p in posts)


def test_sixty_long_chinese_lines_are_split_between_lines(fake) -> None:
    lines = [f"- **A{n}** {TITLE}{n:02d}" for n in range(60)]
    payload = "#### 全部待办（60 项）\n\n" + "\n".join(lines)
    config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.api_url)
    DingTalkSender(OpenApi(config), ROBOT_CODE).deliver(GROUP, payload)
    posts = fake.posts_to("/v1.0/robot/groupMessages/send")
    assert len(posts) >= 2 and all(size <= MAX_ROBOT_BYTES for size in fake.sizes)
    texts = [json.loads(p["body"]["msgParam"])["text"] for p in posts]
    assert [line for text in texts for line in text.split("\n") if line.startswith("- ")] == lines


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def test_slack_action_show_with_forty_notes_keeps_the_latest_history(team, slack) -> None:
    team("max", "add Plan & <review> @max fri")
    for n in range(40):
        team("max", f'action note A1 "note {n:02d}: {"<&>" * 60}"')
    team("max", "action start A1")
    team("olivia", "action due A1 2026-12-04")
    (reply,) = team.runtime.dispatcher.handle(team.adapter.inbound("action show A1"))
    message = SlackRenderer().reply(reply)
    sender = make_sender(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.url))
    sender.deliver(Target("slack", channel_id="C1"), message.payload())
    (call,) = slack.of("chat.postMessage")
    blocks = call.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert len(blocks) < 50
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "note 39" in shown and "note 00" not in shown
    assert "25 older entries not shown" in shown  # 40 notes, the latest 15 shown
    history = [b for b in blocks if b["type"] == "context"]
    assert "→ 2026-12-04" in history[-1]["elements"][0]["text"]  # the latest change is shown


def test_a_slack_list_with_escaped_characters_loses_no_line(slack) -> None:
    rows = [
        {"id": f"A{n}", "title": "&<>" * 60, "owner": "Max", "due": date(2026, 11, 27),
         "status": "done", "late": 0, "blocked_reason": None, "slips": 0}
        for n in range(1, 31)
    ]
    data = {"items": rows, "total": 30, "filter": "all", "more": 0, "projects": ["LA"]}
    message = SlackRenderer().message("action_list", data, "en")
    sender = make_sender(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.url))
    sender.deliver(Target("slack", channel_id="C1"), message.payload())
    (call,) = slack.of("chat.postMessage")
    shown = json.dumps(call.args["blocks"])
    assert all(f"A{n} " in shown for n in range(1, 31))


def test_a_long_list_says_how_to_see_the_next_page(team) -> None:
    for n in range(35):
        team("max", f"add Task {n:02d} @max 2026-12-{1 + n % 28:02d}")
    first = team("max", "action list all")
    assert "… and 5 more: action list all page 2" in first
    second = team("max", "action list all page 2")
    assert "All items (35):" in second and second.count("· max ·") == 5
    assert "more" not in second
    assert "Task" in team("max", "action list 第2页")
