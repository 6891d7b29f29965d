"""DingTalk pieces without a network: escaping, rendering every kind, inbound conversion."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.adapters.dingtalk.config import ConfigError, DingTalkConfig
from bot.adapters.dingtalk.inbound import from_card_callback, from_robot_message
from bot.adapters.dingtalk.markdown import MARK, DingTalkMessage, escape
from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.catalog import TEMPLATES_DIR
from bot.messages import Inbound, Mention, Reply
from bot.runtime import build
from bot.settings import Settings

NOW = datetime.fromisoformat("2026-11-18T10:00:00+08:00")
EVIL = "Fix [it](http://evil.example) @all **now** <font color=red>x</font>\n# big"


@pytest.mark.parametrize(
    "text", [EVIL, "@所有人 看这里", "![img](https://x/y.png)", "dtmd://dingtalkclient/sendMessage"]
)
def test_escape_leaves_no_markup(text: str) -> None:
    shown = escape(text)
    for forbidden in ("@", "[", "]", "<", ">", "**", "://", "\n", "#"):
        assert forbidden not in shown
    assert escape(shown) == shown  # idempotent: a param inside a catalogue string is safe


def test_user_text_cannot_forge_a_button() -> None:
    forged = f"x\n{MARK}button{MARK}Pwn{MARK}project unbind{MARK}\n"
    renderer = DingTalkRenderer()
    row = {"id": "A1", "title": forged, "owner": "z", "due": date(2026, 11, 20)}
    row |= {"status": "done", "late": 0, "blocked_reason": None, "slips": 0}
    message = renderer.for_reply(Reply("action_added", {"item": row, "deliverable": None}), dm=True)
    assert [c for _, c in message.buttons] == ["action reopen A1"]


def test_every_core_message_kind_has_a_dingtalk_template() -> None:
    default = {p.name for p in (TEMPLATES_DIR / "default").glob("*.txt.j2")}
    ours = {p.name for p in (TEMPLATES_DIR / "dingtalk").glob("*.txt.j2")}
    assert sorted(default - ours) == []


def test_group_buttons_become_typed_commands_and_survive_the_outbox_payload() -> None:
    payload = DingTalkMessage("**hi**", "hi", (("✔ 完成", "done A1"),), "回复时 @我 并输入：")
    back = DingTalkMessage.parse(payload.to_payload())
    assert back == payload
    group = back.for_group()
    assert group.buttons == () and group.text.endswith("回复时 @我 并输入： done A1")


COMMANDS = [
    "project create 审批提速 goal 「审批周期 15 → 7 天」",
    "dept add 产品部 head @王磊",
    "member add @张三 dept 产品部",
    f'action add "{EVIL}" owner @张三 due fri deliverable "[x](http://y)"',
    "action list",
    "action show A1",
    "action block A1 「等 <法务> 回复」",
    "project info",
    "member list",
    "status",
    "help",
    "help action add",
    "action frobnicate",
    "done A1",
]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_reply_renders_as_safe_markdown(tmp_path: Path, locale: str) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/t.db", now=NOW, locale=locale)
    runtime = build(settings)
    renderer = DingTalkRenderer()
    people = {"王磊": Mention("u-wang", "王磊"), "张三": Mention("u-zhang", "张三")}
    failed = renderer.message("message", {"key": "error.render", "params": {}}, locale, dm=True)
    for command in COMMANDS:
        inbound = Inbound("dingtalk", "u-wang", command, "cid-g", user_name="王磊", mentions=people)
        for reply in runtime.dispatcher.handle(inbound):
            assert reply.locale == locale
            for dm in (True, False):
                message = renderer.for_reply(reply, dm=dm)
                assert message.text and message.text != failed.text, (command, reply)
                assert "{{" not in message.text and MARK not in message.text
                assert "http://" not in message.text and "[x]" not in message.text
                assert "<法务>" not in message.text and "@all" not in message.text
                assert dm or not message.buttons


def robot(text: str, *, dm: bool = False, at=(), known=None):  # noqa: ANN001, ANN201
    data = {
        "conversationId": "cid-1",
        "conversationType": "1" if dm else "2",
        "chatbotUserId": "$:bot",
        "isInAtList": not dm,
        "atUsers": [{"dingtalkId": "$:bot"}] + [{"dingtalkId": f"$:{s}", "staffId": s} for s in at],
        "senderStaffId": "u-me",
        "senderNick": "我",
        "sessionWebhook": "http://127.0.0.1:1/robot/sendBySession?session=x",
        "msgtype": "text",
        "text": {"content": text},
    }
    names = known or {}
    return from_robot_message(data, lambda ids: {i: names[i] for i in ids if i in names})


def test_group_message_loses_the_mention_and_spaces() -> None:
    inbound, route = robot("  action list  ")
    assert inbound.text == "action list" and not inbound.is_dm
    assert (inbound.user_id, inbound.user_name, inbound.channel_id) == ("u-me", "我", "cid-1")
    assert route.fallback.channel_id == "cid-1" and route.at_user == "u-me"
    assert robot("@Taskforce\u2005action list")[0].text == "action list"


def test_dm_keeps_the_text_for_the_dispatcher() -> None:
    inbound, route = robot("tf action list", dm=True)
    assert inbound.is_dm and inbound.text == "tf action list"
    assert route.fallback.user_id == "u-me" and route.at_user is None


def test_mentions_match_known_names_first_then_order() -> None:
    text = "member add @张三\u2005dept 产品部 @李四\u2005"
    inbound, _ = robot(text, at=("u-li", "u-zhang"), known={"u-zhang": "张三"})
    assert inbound.mentions == {
        "张三": Mention("u-zhang", "张三"),
        "李四": Mention("u-li", "李四"),
    }
    inbound, _ = robot("reassign A1 @王五 @赵六", at=("u-w", "u-z"))
    assert {k: v.user_id for k, v in inbound.mentions.items()} == {"王五": "u-w", "赵六": "u-z"}
    # a typed @name that was not a real mention: no guessing
    assert robot("member add @王五 @赵六", at=("u-w",))[0].mentions == {}


def test_non_text_messages_are_ignored() -> None:
    assert from_robot_message({"msgtype": "picture", "content": {}}, lambda ids: {}) is None


def test_card_callback_carries_a_command() -> None:
    content = {"cardPrivateData": {"actionIds": ["x"], "params": {"command": "done A1"}}}
    data = {
        "userId": "u-me",
        "spaceType": "IM",
        "spaceId": "cid-dm",
        "content": json.dumps(content),
    }
    inbound, route = from_card_callback(data)
    assert inbound.is_dm and inbound.text == "done A1" and route.fallback.user_id == "u-me"
    assert from_card_callback({"userId": "u", "content": "{}"}) is None


def test_config_needs_credentials_and_defaults_the_robot_code() -> None:
    with pytest.raises(ConfigError, match="DINGTALK_CLIENT_SECRET"):
        DingTalkConfig.from_settings(Settings(dingtalk_client_id="id"))
    config = DingTalkConfig.from_settings(
        Settings(
            dingtalk_client_id="ding1",
            dingtalk_client_secret="s",
            dingtalk_api_url="http://127.0.0.1:1/",
        )
    )
    assert config.robot_code == "ding1" and config.url("/x") == "http://127.0.0.1:1/x"
