"""The DingTalk sender against the local fake OpenAPI: tokens, targets, throttling."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.openapi import OpenApi
from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.delivery import DeliveryFailed, RetryLater
from bot.messages import Target

GROUP_SEND = "/v1.0/robot/groupMessages/send"
DM_SEND = "/v1.0/robot/oToMessages/batchSend"
GROUP = Target("dingtalk", channel_id="cid-group-1")
ZHANG = Target("dingtalk", user_id="u-zhang")


@pytest.fixture
def fake() -> Iterator[FakeDingTalk]:
    with FakeDingTalk() as fake:
        yield fake


@pytest.fixture
def sender(fake: FakeDingTalk) -> DingTalkSender:
    config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.api_url)
    return DingTalkSender(OpenApi(config), ROBOT_CODE)


def reminder(locale: str = "zh-CN") -> str:
    """A notice payload as the outbox stores it (DingTalkRenderer.render)."""
    row = {"id": "A1", "title": "更新审批模板", "owner": "张三", "status": "open"}
    row |= {"due": None, "late": 0, "blocked_reason": None, "slips": 0}
    data = {"item": row, "project": "P1", "project_name": "审批提速", "working_days": 0}
    return DingTalkRenderer().render("remind_due_dm", data, locale)


def param(post: dict) -> dict:
    return json.loads(post["body"]["msgParam"])


def test_group_post_refreshes_an_expired_token(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    fake.token_lifetime = 1
    sender.deliver(GROUP, "**进度** 一切正常")
    time.sleep(1.05)  # the first token has expired at the fake
    sender.deliver(GROUP, "第二条")
    first, second = fake.posts_to(GROUP_SEND)
    assert (first["token"], second["token"]) == ("tok-1", "tok-2")
    assert fake.rejected_tokens == []  # renewed ahead of expiry, not after a refusal
    body = first["body"]
    assert body["openConversationId"] == "cid-group-1" and body["robotCode"] == ROBOT_CODE
    assert body["msgKey"] == "sampleMarkdown"
    assert param(first) == {"title": "进度 一切正常", "text": "**进度** 一切正常"}


def test_a_rejected_token_is_fetched_again_once(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    sender.deliver(GROUP, "one")
    fake.revoke_tokens()  # e.g. the secret was rotated: DingTalk answers 401
    sender.deliver(GROUP, "two")
    assert [p["token"] for p in fake.posts_to(GROUP_SEND)] == ["tok-1", "tok-2"]
    assert fake.rejected_tokens == ["tok-1"]
    assert sender.api.tokens_issued == 2


def test_dm_with_buttons_is_an_action_card(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    sender.deliver(ZHANG, reminder())
    (post,) = fake.posts_to(DM_SEND)
    assert post["body"]["userIds"] == ["u-zhang"] and post["body"]["robotCode"] == ROBOT_CODE
    assert post["body"]["msgKey"] == "sampleActionCard2"
    card = param(post)
    assert "更新审批模板" in card["text"] and card["actionTitle1"] == "✔ 完成"
    assert card["actionURL1"] == "dtmd://dingtalkclient/sendMessage?content=done%20P1%2FA1"


def test_in_a_group_buttons_become_typed_commands(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    sender.deliver(GROUP, reminder("en"))
    (post,) = fake.posts_to(GROUP_SEND)
    assert post["body"]["msgKey"] == "sampleMarkdown"
    assert param(post)["text"].endswith("done P1/A1 · action show P1/A1")


@pytest.mark.parametrize(
    "status, body, headers, after",
    [
        (403, {"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "qps"}, {}, None),
        (429, {"code": "Throttling"}, {"Retry-After": "7"}, 7.0),
        (503, {"code": "ServiceUnavailable"}, {}, None),
    ],
)
def test_throttling_and_outages_ask_for_a_retry(fake, sender, status, body, headers, after) -> None:  # noqa: ANN001
    fake.throttle.append((status, body, headers))
    with pytest.raises(RetryLater) as raised:
        sender.deliver(GROUP, "x")
    assert raised.value.after == after
    sender.deliver(GROUP, "x")  # the next attempt goes through
    assert len(fake.posts_to(GROUP_SEND)) == 1


def test_a_bad_request_fails_for_good(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    fake.throttle.append((400, {"code": "invalidParameter.openConversationId"}, {}))
    with pytest.raises(DeliveryFailed, match="invalidParameter"):
        sender.deliver(GROUP, "x")


def test_wrong_credentials_fail_for_good(fake: FakeDingTalk) -> None:
    config = DingTalkConfig(CLIENT_ID, "wrong", ROBOT_CODE, fake.api_url)
    with pytest.raises(DeliveryFailed):
        DingTalkSender(OpenApi(config), ROBOT_CODE).deliver(GROUP, "x")


def test_unreachable_api_is_a_retry(sender) -> None:  # noqa: ANN001
    sender.api.config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, "http://127.0.0.1:9")
    with pytest.raises(RetryLater):
        sender.deliver(GROUP, "x")


def test_a_group_gets_at_most_20_posts_a_minute(fake: FakeDingTalk, sender) -> None:  # noqa: ANN001
    assert sender.per_channel_per_minute == 20
    for n in range(20):
        sender.deliver(GROUP, f"post {n}")
    with pytest.raises(RetryLater) as raised:
        sender.deliver(GROUP, "one too many")
    assert 55 < raised.value.after <= 60
    sender.deliver(Target("dingtalk", channel_id="cid-other"), "another group is not held up")
    sender.deliver(ZHANG, "nor is a DM")
    assert len(fake.posts_to(GROUP_SEND)) == 21 and len(fake.posts_to(DM_SEND)) == 1
