"""The Slack adapter over real HTTP: signed requests into the Bolt app on waitress,
its Web API calls answered by a local fake Slack (tests/slack_fake.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from slack_fake import (
    BOT_TOKEN,
    SECRET,
    TEAM,
    Call,
    FakeSlack,
    form,
    post,
    signed_headers,
    slash_body,
    until,
    user,
)
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from bot.adapters.slack import HttpServing, build_app
from bot.adapters.slack.app import worker
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.workers import WorkerPool
from storage.models import ActionItem, ChannelBinding, Person, Project

NOW = datetime.fromisoformat("2026-11-18T10:00:00+08:00")  # a Wednesday in Shanghai
CHANNEL = "C0LAUNCH"


class Harness:
    def __init__(self, fake: FakeSlack, runtime: Runtime, serving: HttpServing) -> None:
        self.fake = fake
        self.runtime = runtime
        self.url = f"http://127.0.0.1:{serving.port}/slack/events"
        self.n = 0

    def command(
        self, line: str, user_id: str = "U1", channel: str = CHANNEL, **headers: str
    ) -> tuple[int, str, float]:
        self.n += 1
        body = form(slash_body(self.fake, line, user_id, channel, self.n))
        return post(self.url, body, signed_headers(body) | headers)

    def run(self, line: str, user_id: str = "U1", channel: str = CHANNEL) -> None:
        """A command, and wait until its answer reached Slack: in the command's channel or
        by its response_url (an earlier command's DM to someone arriving meanwhile is
        not this command's answer)."""
        before = len(self.fake.calls)
        status, _, _ = self.command(line, user_id, channel)
        assert status == 200
        mine = f"/cmd{self.n}"

        def answer(c: Call) -> bool:
            if c.method == "response_url":
                return c.path.endswith(mine)
            return c.method in ANSWERS and c.args.get("channel") == channel

        until(lambda: any(answer(c) for c in self.fake.calls[before:]))

    def click(self, message: Call, value: str, user_id: str, ephemeral: bool = False) -> int:
        """Click the button with `value` in a message the bot posted (as the fake saw it)."""
        blocks = message.args["blocks"]
        block, button = next(
            (b, e) for b in blocks for e in b.get("elements", []) if e.get("value") == value
        )
        self.n += 1
        ts = "1763430000.999999" if ephemeral else self.ts_of(message)
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user_id, "username": f"legacy.{user_id.lower()}"},
            "api_app_id": "A0APP",
            "trigger_id": f"click.{self.n}",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": CHANNEL,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": CHANNEL, "name": "launch"},
            "response_url": self.fake.response_url(f"click{self.n}"),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": block["block_id"],
                    "value": button["value"],
                    "action_ts": "1763430001.000000",
                }
            ],
        }
        if not ephemeral:
            payload["message"] = {"type": "message", "ts": ts, "text": "", "blocks": blocks}
        body = form({"payload": json.dumps(payload)})
        status, _, _ = post(self.url, body, signed_headers(body))
        return status

    def ts_of(self, message: Call) -> str:
        index = self.fake.calls.index(message)
        # the fake numbers ts in order of the chat.postMessage calls it answered
        posted = [c for c in self.fake.calls[: index + 1] if c.method == "chat.postMessage"]
        return f"1763430000.{len(posted):06d}"

    def items(self) -> list[ActionItem]:
        with Session(self.runtime.engine) as db:
            return list(db.exec(select(ActionItem).order_by(ActionItem.seq)).all())

    def person(self, user_id: str) -> Person | None:
        with Session(self.runtime.engine) as db:
            return db.exec(select(Person).where(Person.user_id == user_id)).first()

    def snapshot(self) -> dict[str, list[Any]]:
        """Every row of the project's data (not the log of which deliveries were seen)."""
        engine = self.runtime.engine
        with engine.connect() as conn:
            return {
                t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
                for t in inspect(engine).get_table_names()
                if t != "inboundseen"
            }


ANSWERS = {"chat.postMessage", "response_url", "chat.postEphemeral"}


@pytest.fixture
def slack(sqlite_url: str, slack_work: str) -> Iterator[Harness]:
    with served_slack(sqlite_url, workers=slack_work == "workers") as harness:
        yield harness


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """This module's tests run twice: the work after the ack on the serving process's
    threads, and in a worker process (bot/workers.py), as `taskforce run` does it."""
    if "slack" in metafunc.fixturenames:
        metafunc.parametrize("slack_work", ["threads", "workers"])


@contextmanager
def served_slack(url: str, workers: bool = False) -> Iterator[Harness]:
    """The Slack app served on loopback over the database at `url`, with a fake Slack;
    with `workers`, the work after each ack is done in a forked worker process."""
    fake = FakeSlack().start()
    fake.users.update(
        {
            "U1": user("U1", "Olivia Chen"),
            "U2": user("U2", "Max Müller"),
            "U3": user("U3", "Vic <Legal> & Co", locale="zh-CN"),
        }
    )
    settings = Settings(
        database_url=url,
        now=NOW,
        locale=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_app_token=None,
        slack_api_url=fake.url,
    )
    runtime = build(settings, migrate=False)
    pool = WorkerPool(lambda _index: worker(runtime), threads=2).start() if workers else None
    app = build_app(runtime, hand=pool.submit if pool else None)
    serving = HttpServing(app, SECRET, host="127.0.0.1", port=0).start()
    try:
        yield Harness(fake, runtime, serving)
    finally:
        serving.stop()
        if pool is not None:
            pool.stop()
        fake.stop()
        runtime.engine.dispose()


def team(slack: Harness) -> None:
    slack.run('project create "Launch approval" key LA')
    slack.run("dept add Marketing head <@U1|olivia>")
    slack.run("member add <@U2|max> dept Marketing")
    slack.run("member add <@U3> dept Marketing role viewer")


def posted(slack: Harness) -> list[Call]:
    return slack.fake.of("chat.postMessage")


def test_app_checks_its_token_with_auth_test(slack: Harness) -> None:
    call = slack.fake.of("auth.test")[0]
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"


def test_project_create_posts_in_the_channel_and_binds_it(slack: Harness) -> None:
    status, body, seconds = slack.command('project create "Launch approval" key LA')
    assert (status, body) == (200, "")
    assert seconds < 1.0
    message = slack.fake.wait("chat.postMessage")[0]
    assert message.args["channel"] == CHANNEL
    assert "Project LA Launch approval created" in message.args["text"]
    assert message.args["blocks"][0]["type"] == "section"
    assert message.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    with Session(slack.runtime.engine) as db:
        project = db.exec(select(Project)).one()
        binding = db.exec(select(ChannelBinding)).one()
    assert (project.key, binding.platform, binding.channel_id) == ("LA", "slack", CHANNEL)
    assert slack.person("U1").display_name == "Olivia Chen"  # users.info, not legacy.u1


def test_users_are_looked_up_once(slack: Harness) -> None:
    team(slack)
    slack.run("action list")
    looked_up = [c.args["user"] for c in slack.fake.of("users.info")]
    assert sorted(looked_up) == ["U1", "U2", "U3"]


def test_action_add_with_mentions_posts_buttons(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2|max> due fri')
    (item,) = slack.items()
    assert item.title == "Draft the checklist"
    assert slack.person("U2").display_name == "Max Müller"
    assert item.owner_id == slack.person("U2").id
    message = posted(slack)[-1]
    assert "Added A1: Draft the checklist" in message.args["text"]
    assert "Max Müller" in message.args["text"]
    buttons = [e for b in message.args["blocks"] for e in b.get("elements", [])]
    values = {e["value"] for e in buttons if e.get("type") == "button"}
    assert values == {"action start A1", "action done A1"}
    slack.run("member list")
    # a display name is escaped like any user text
    assert "Vic ‹Legal› &amp; Co" in slack.fake.of("response_url")[-1].dump()


def test_action_list_in_channel_and_mine_privately(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    slack.run('action add "Legal review" owner <@U1> due +3d')
    slack.run("action list")
    listing = next(m for m in reversed(posted(slack)) if "Open items" in m.args["text"])
    assert "Open items (2)" in listing.args["text"]
    assert listing.args["text"].count("\n") >= 2
    slack.run("action list mine", user_id="U2")
    private = slack.fake.of("response_url")[-1]
    assert private.args["response_type"] == "ephemeral"
    assert "Draft the checklist" in private.dump()
    assert "Legal review" not in private.dump()


def test_errors_are_ephemeral_with_escaped_usage(slack: Harness) -> None:
    team(slack)
    before = len(posted(slack))
    slack.run('action add "No owner"')
    answer = slack.fake.of("response_url")[-1]
    assert answer.args["response_type"] == "ephemeral"
    assert "Missing &lt;owner&gt;" in answer.args["text"]
    assert 'action add "&lt;title&gt;" owner' in answer.args["text"]
    assert len(posted(slack)) == before


def test_done_button_runs_the_command_and_updates_the_list(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    slack.run("action list")
    listing = posted(slack)[-1]
    before = len(posted(slack))
    assert slack.click(listing, "action done A1", user_id="U2") == 200
    update = slack.fake.wait("chat.update")[0]
    assert slack.items()[0].status == "done"
    assert update.args["channel"] == CHANNEL
    assert update.args["ts"] == slack.ts_of(listing)
    assert "No open items" in update.dump()  # re-rendered: A1 is no longer open
    announced = slack.fake.wait("chat.postMessage", before + 1)[-1]
    assert "A1 Draft the checklist is done" in announced.args["text"]


def test_button_on_an_added_item_replaces_the_buttons_with_the_outcome(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    added = posted(slack)[-1]
    assert slack.click(added, "action start A1", user_id="U2") == 200
    update = slack.fake.wait("chat.update")[0]
    assert slack.items()[0].status == "in_progress"
    kinds = [b["type"] for b in update.args["blocks"]]
    assert kinds == ["section", "context"]
    assert "in progress" in update.dump() and "Max Müller" in update.dump()


def test_a_click_has_the_typed_commands_permissions(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    added = posted(slack)[-1]
    before = slack.snapshot()
    assert slack.click(added, "action done A1", user_id="U3") == 200  # a viewer
    refusal = slack.fake.wait("response_url", 1 + len(slack.fake.of("response_url")))[-1]
    assert refusal.args["response_type"] == "ephemeral"
    assert "you are viewer" in refusal.args["text"]
    assert slack.snapshot() == before
    assert slack.fake.of("chat.update") == []


def test_click_on_an_ephemeral_list_replaces_it_through_response_url(slack: Harness) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    slack.run("action list mine", user_id="U2")
    private = slack.fake.of("response_url")[-1]
    count = len(slack.fake.of("response_url"))
    assert slack.click(private, "action done A1", user_id="U2", ephemeral=True) == 200
    answers = slack.fake.wait("response_url", count + 1)
    until(lambda: any(c.args.get("replace_original") for c in slack.fake.of("response_url")))
    replaced = [c for c in slack.fake.of("response_url") if c.args.get("replace_original")][0]
    assert "You have no open items" in replaced.dump()
    assert answers and slack.items()[0].status == "done"
    assert slack.fake.of("chat.update") == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Slack-Signature": "v0=" + "0" * 64}, id="bad-signature"),
        pytest.param("six-minutes-old", id="old-timestamp"),
        pytest.param("other-secret", id="wrong-secret"),
    ],
)
def test_unverified_requests_get_401_and_change_nothing(
    slack: Harness, headers: dict[str, str] | str
) -> None:
    body = form(slash_body(slack.fake, 'project create "Sneaky" key SN', "U1", CHANNEL, 99))
    if headers == "six-minutes-old":
        sent = signed_headers(body, timestamp=int(time.time()) - 360)
    elif headers == "other-secret":
        sent = signed_headers(body, secret="not-the-secret")
    else:
        sent = signed_headers(body) | headers
    before = slack.snapshot()
    status, _, _ = post(slack.url, body, sent)
    assert status == 401
    time.sleep(0.3)
    assert slack.snapshot() == before
    assert {c.method for c in slack.fake.calls} <= {"auth.test"}


def test_a_retried_request_is_handled_once(slack: Harness) -> None:
    team(slack)
    slack.n += 1
    body = form(slash_body(slack.fake, 'action add "Once" owner <@U2> due fri', "U1", CHANNEL, 50))
    before = len(posted(slack))
    assert post(slack.url, body, signed_headers(body))[0] == 200
    retry = signed_headers(body) | {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
    assert post(slack.url, body, retry)[0] == 200
    slack.fake.wait("chat.postMessage", before + 1)
    time.sleep(0.4)
    assert [i.title for i in slack.items()] == ["Once"]
    assert len(posted(slack)) == before + 1
    assert slack.fake.of("response_url") == []


def test_user_text_cannot_ping_or_link(slack: Harness) -> None:
    team(slack)
    # what Slack sends when someone types: Fix @channel @here @leads <link> <!everyone> & co
    title = (
        "Fix <!channel> <!here> <!subteam^S0LEADS|@leads> <https://evil.example|click>"
        " &lt;!everyone&gt; &lt;@U1&gt; &amp; co"
    )
    slack.run(f'action add "{title}" owner <@U2> due fri')
    (item,) = slack.items()
    assert item.title == (
        "Fix @channel @here @leads click (https://evil.example) <!everyone> <@U1> & co"
    )
    sent = posted(slack)[-1].dump()
    for markup in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U1", "<https"):
        assert markup not in sent
    assert "&lt;!everyone&gt; &lt;＠U1&gt; &amp; co" in sent  # `@` full-width: no mention
    slack.run("action list")
    assert "<!everyone>" not in posted(slack)[-1].dump()


def test_ack_comes_before_the_work(slack: Harness) -> None:
    slack.fake.delays["users.info"] = 2.0  # the work after the ack is slow
    status, _, seconds = slack.command('project create "Slow" key SL')
    assert status == 200 and seconds < 1.0
    slack.fake.wait("chat.postMessage", timeout=10)


def test_the_bot_falls_back_to_response_url_where_it_may_not_post(slack: Harness) -> None:
    slack.fake.cannot_post.add(CHANNEL)
    slack.run('project create "Private" key PR')
    slack.fake.wait("response_url")
    shown = slack.fake.of("response_url")[0]  # then the hint to /invite the bot
    assert shown.args["response_type"] == "in_channel"
    assert "Project PR Private created" in shown.args["text"]


def test_binding_a_private_channel_the_bot_is_not_in_says_to_invite_it(slack: Harness) -> None:
    slack.fake.cannot_post.add("CPRIVATE")
    slack.run('project create "Private" key PR', channel="CPRIVATE")
    until(lambda: len(slack.fake.of("response_url")) >= 2)
    created, hint = slack.fake.of("response_url")[:2]
    assert "Project PR Private created" in created.args["text"]
    assert hint.args["response_type"] == "ephemeral"
    assert "/invite @Taskforce" in hint.args["text"]
    assert slack.fake.of("conversations.info") or slack.fake.of("chat.postMessage")


def test_a_channel_the_bot_is_in_gets_no_invite_hint(slack: Harness) -> None:
    slack.run('project create "Open" key OP')
    slack.fake.wait("conversations.info")
    time.sleep(0.2)
    assert all("/invite" not in c.args.get("text", "") for c in slack.fake.of("response_url"))


def test_a_command_in_a_dm_between_two_people_answers_privately(slack: Harness) -> None:
    slack.fake.cannot_post.add("D0PEOPLE")  # not the bot's DM: it cannot post there
    slack.run("dept add Marketing head <@U1|olivia>", channel="D0PEOPLE")
    slack.fake.wait("response_url")
    answer = slack.fake.of("response_url")[-1]
    assert "Department Marketing added" in answer.args["text"]
    assert answer.args["response_type"] == "ephemeral"
