"""Trial (issue 15): what a person typed is shown as text on every platform, in replies
and in scheduled posts alike: no link they did not record as a `link <url>` field, no
formatting, no mention. Slack over real HTTP (Bolt on waitress, the local fake Web API),
DingTalk through dingtalk-stream against the local fake gateway and OpenAPI."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from slack_fake import Call, user
from test_dingtalk_stream import ZHANG, adapter, fake, runtime, say, shown  # noqa: F401
from test_slack_http import Harness, slack, team  # noqa: F401  (the fixture)

from bot.adapters.slack import make_sender
from bot.outbox.loop import DeliveryLoop
from bot.tick import tick

# the title as Slack's client sends what was typed: a labelled link, a bare URL (Slack
# wraps it in <…>), formatting, a code fence, @here, a channel, a bare host name
SLACK_TYPED = (
    "<https://evil.example|click> *bold* _it_ ~st~ `code` ```fence``` <!here> "
    "<#C1|general> www.evil.com <https://x.evil.com/p?a=1&amp;b=2>"
)
# what the person meant, which must be what every reader sees
MEANT = (
    "click (https://evil.example) *bold* _it_ ~st~ `code` ```fence``` @here #general "
    "www.evil.com https://x.evil.com/p?a=1&b=2"
)
# the same meaning as typed in DingTalk (no client encoding there), plus markdown's own
DINGTALK_TYPED = "[click](https://evil.example) *bold* _it_ ~st~ `code` @all www.evil.com"
BACK = str.maketrans(
    {"∗": "*", "＿": "_", "～": "~", "ˋ": "`", "＠": "@", "＃": "#", "＞": ">", "＜": "<",
     "［": "[", "］": "]", "｜": "|", "\u2024": ".", "\u200b": None}
)
NOT_ON_SLACK = ("*bold*", "_it_", "~st~", "`", "@here", "#general", "://", "evil.example",
                "evil.com", "<!", "<#", "<http")
NOT_ON_DINGTALK = ("](", "*bold*", "_it_", "~st~", "`", "@all", "://", "evil.example",
                   "evil.com")


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """Every string Slack renders as mrkdwn in a posted message: `text` and block texts."""
    found = [str(message.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    blocks = message.get("blocks") or []
    walk(json.loads(blocks) if isinstance(blocks, str) else blocks)
    return found


def read_as_shown(text: str) -> str:
    """The text a reader sees: entities decoded, look-alikes read as what they stand for."""
    return html.unescape(text).translate(BACK)


def assert_literal_on_slack(message: dict[str, Any]) -> None:
    texts = mrkdwn_texts(message)
    assert any(MEANT in read_as_shown(t) for t in texts), texts
    for shown_text in texts:
        for bad in NOT_ON_SLACK:
            assert bad not in shown_text, (bad, shown_text)
        assert re.findall(r"<([^>]*)>", shown_text) == [
            m for m in re.findall(r"<([^>]*)>", shown_text) if re.fullmatch(r"@U[A-Z0-9]+", m)
        ], shown_text  # the only <…> is a mention of a user the bot itself stored


def carrying_title(calls: list[Call], needle: str = "click") -> list[dict[str, Any]]:
    return [c.args for c in calls if needle in json.dumps(c.args, ensure_ascii=False)]


def test_slack_shows_typed_markup_links_and_mentions_as_text(slack, trial) -> None:  # noqa: F811
    slack.fake.users.update({"U2": user("U2", "Max Müller")})
    team(slack)
    before = len(slack.fake.calls)
    trial.tried(f"/tf action add with the title {SLACK_TYPED!r} (as Slack encodes it)")
    slack.run(f'action add "{SLACK_TYPED}" owner <@U2|max> due 2026-11-19')
    replies = carrying_title(slack.fake.calls[before:])
    assert replies
    for reply in replies:
        assert_literal_on_slack(reply)
    trial.held(f"the reply shows {MEANT!r} as text: no link, no *bold*/_it_/~st~/code, "
               "no @here, no #channel; the owner's mention is the only <…>")

    before = len(slack.fake.calls)
    trial.tried("action show A1 (Block Kit blocks)")
    slack.run("action show A1")
    for reply in carrying_title(slack.fake.calls[before:]):
        assert_literal_on_slack(reply)
    trial.held("the blocks show the title as text too")

    trial.tried("the scheduled overdue post and DM of the item, delivered to Slack")
    before = len(slack.fake.calls)
    report = tick(
        slack.runtime.engine,
        _at(slack, "2026-11-20T09:05:00+08:00"),
        slack.runtime.settings,
        {"slack": make_sender(slack.runtime.settings)},
    )
    posts = carrying_title(slack.fake.calls[before:])
    assert len(report.sent) >= 2 and len(posts) >= 2, (report, posts)
    for post in posts:
        assert_literal_on_slack(post)
    trial.held(f"{len(posts)} scheduled posts show the title as text")


def test_a_recorded_link_is_the_one_link_on_slack(slack, trial) -> None:  # noqa: F811
    slack.fake.users.update({"U4": user("U4", "Leo Legal")})
    team(slack)
    slack.run("dept add Legal head <@U4>")
    trial.tried('review "see https://evil.example" … link https://docs.example/v2')
    before = len(slack.fake.calls)
    slack.run('review "see https://evil.example" by dept Legal within 3wd '
              "link https://docs.example/v2", user_id="U2")
    replies = carrying_title(slack.fake.calls[before:], "docs")
    assert replies
    for reply in replies:
        body = json.dumps(reply, ensure_ascii=False)
        assert "<https://docs.example/v2>" in body, body
        assert "https://evil.example" not in body and "evil.example" not in body
    trial.held("the recorded link is a Slack link <https://docs.example/v2>; the URL in the "
               "title is text")


def test_dingtalk_shows_typed_markup_links_and_mentions_as_text(fake, adapter, runtime, trial) -> None:  # noqa: ANN001, E501, F811
    say(fake, " project create 审批提速")
    say(fake, " dept add 产品部 head @张三\u2005", at=(ZHANG,))
    say(fake, " member add @张三\u2005dept 产品部", at=(ZHANG,))
    trial.tried(f"action add with the title {DINGTALK_TYPED!r}")
    added = shown(say(fake, f" action add 「{DINGTALK_TYPED}」 owner @张三\u2005due 2026-11-19",
                      at=(ZHANG,)))
    for bad in NOT_ON_DINGTALK:
        assert bad not in added, (bad, added)
    assert DINGTALK_TYPED in read_as_shown(added), added
    trial.held("the reply shows it as text: no link, no emphasis, no code, no @all")

    trial.tried("the scheduled overdue post and DM of the item, delivered to DingTalk")
    runtime.clock.set(datetime.fromisoformat("2026-11-20T09:05:00+08:00"))
    report = tick(runtime.engine, runtime.clock, runtime.settings,
                  {"dingtalk": adapter.sender})
    bodies = [json.dumps(p["body"], ensure_ascii=False) for p in fake.posts]
    posts = [json.loads(json.loads(b)["msgParam"]) for b in bodies if "msgParam" in b
             and "evil" in b]
    assert report.sent and posts, (report, bodies)
    for post in posts:
        text = post.get("text", "")
        for bad in NOT_ON_DINGTALK:
            assert bad not in text, (bad, text)
    trial.held(f"{len(posts)} scheduled posts show the title as text")


def test_a_recorded_link_is_the_one_link_on_dingtalk(fake, adapter, runtime, trial) -> None:  # noqa: ANN001, F811
    say(fake, " project create 审批提速")
    say(fake, " dept add 法务部 head @张三\u2005", at=(ZHANG,))
    trial.tried("会签 with a URL in the title and 链接 https://docs.example/v2")
    opened = shown(say(fake, " 会签 「看 https://evil.example」 由 部门 法务部 within 3wd "
                             "link https://docs.example/v2"))
    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    loop.run_once()
    asks = [json.dumps(p["body"], ensure_ascii=False) for p in fake.posts if "docs" in
            json.dumps(p["body"], ensure_ascii=False)]
    assert asks, opened
    for ask in asks:
        assert "](https://docs.example/v2)" in ask, ask
        assert "https://evil.example" not in ask and "evil.example" not in ask
    trial.held("the recorded link is a markdown link; the URL in the title is text")


def _at(harness: Harness, iso: str):  # noqa: ANN202
    harness.runtime.clock.set(datetime.fromisoformat(iso))
    return harness.runtime.clock
