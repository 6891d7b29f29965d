"""A notice caused by a Slack command goes through the outbox to the fake Slack, as blocks."""

from __future__ import annotations

import json

from conftest import make_chat
from slack_fake import BOT_TOKEN, FakeSlack

from bot.adapters.slack import make_sender
from bot.messages import Inbound
from bot.outbox.loop import DeliveryLoop


def test_assignment_notice_reaches_slack_escaped(sqlite_url):
    fake = FakeSlack().start()
    try:
        chat = make_chat(sqlite_url, slack_bot_token=BOT_TOKEN, slack_api_url=fake.url)
        sender = make_sender(chat.runtime.settings)  # registers the Slack payload renderer
        dispatcher = chat.runtime.dispatcher

        def say(user: str, text: str) -> str:
            inbound = Inbound(
                platform="slack", user_id=user, user_name=user, text=text, channel_id="C0LAUNCH"
            )
            return dispatcher.handle(inbound)[0].template

        assert say("U1", "project create Launch key LA") == "project_created"
        assert say("U1", "dept add Ops head <@U1|olivia>") == "message"
        assert say("U1", "member add <@U2|max> dept Ops") == "message"
        assert say("U1", 'action add "Ping <!channel> & co" owner <@U2|max> due fri') == (
            "action_added"
        )
        loop = DeliveryLoop(chat.runtime.engine, chat.runtime.clock, {"slack": sender})
        assert len(loop.run_once().sent) == 1
        posts = [c for c in fake.calls if c.method == "chat.postMessage"]
        assert len(posts) == 1
        blocks = posts[0].args["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        shown = json.dumps(blocks, ensure_ascii=False)
        assert "&lt;!channel&gt; &amp; co" in shown and "<!channel>" not in shown
        assert any(c.method == "conversations.open" for c in fake.calls)
        assert len(loop.run_once().sent) == 0  # delivered once
    finally:
        fake.stop()
