"""Trials (issue 15, part 7): generated command text in both languages, through the adapters.

tests/test_fuzz.py feeds the dispatcher; these go the whole way in: signed HTTP
requests into the served Slack app (waitress, the edge, Bolt), and robot messages
pushed to dingtalk-stream's client by the local fake gateway. Every command must be
answered (0 crashes: no "something went wrong", nothing logged as an error), a
command the core refused must leave every table as it was (0 partial writes), and
no text may be evaluated as a template. Whether the core refused a command is read
from the database itself: a command's request key (storage.seen) is claimed in its
transaction, so the key is missing exactly when the transaction rolled back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_text import KNOWN, PROBES, commands
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from slack_fake import form, post, signed_headers, slash_body, until
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk
from test_dingtalk_stream import GROUP, NOW, WEBHOOK, adapter, fake  # noqa: F401
from test_slack_http import ANSWERS, CHANNEL, Harness, served_slack, team
from trial_report import Trial

from bot.runtime import Runtime, build
from bot.settings import Settings

SLACK_MENTIONS = ["<@U1>", "<@U2|max>", "<@U3>", "<@U9NOBODY>", "<!channel>", "<!here>",
                  "<#C1|general>", "<https://x.example|label>", "<!subteam^S1|@team>", "@max"]
DINGTALK_MENTIONS = ["@王磊", "@张三\u2005", "＠nobody", "@所有人", "@max"]
INTERNAL = ["Something went wrong on my side", "我这边出错了"]
FUZZ = settings(
    max_examples=int(os.environ.get("TRIAL_FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def slack_escaped(typed: str) -> str:
    """Typed text as Slack sends it: `&`, `<`, `>` as entities."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TABLES: dict[str, list[str]] = {}


def examples(cases: list[dict[str, str]]) -> Any:
    """Each of `cases` as a hypothesis `example`, tried before the generated ones."""

    def decorate(test: Any) -> Any:
        for case in reversed(cases):
            test = example(**case)(test)
        return test

    return decorate


def rows(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table (the request keys of storage.seen too)."""
    names = TABLES.setdefault(str(engine.url), inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
            for t in names
        }


def claimed(engine: Engine, key: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM inboundseen WHERE key = :k"), {"k": key})
        return found.first() is not None


def check_answer(shown: str, typed: str) -> None:
    for phrase in INTERNAL:
        assert phrase not in shown, typed
    for probe in PROBES:
        assert probe not in shown or probe in typed, typed


class Tally:
    def __init__(self) -> None:
        self.commands = 0
        self.refused = 0


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def slack(any_db_url: str) -> Iterator[Harness]:
    """The served Slack app, on SQLite and on PostgreSQL."""
    with served_slack(any_db_url) as harness:
        yield harness


@pytest.fixture
def runtime(any_db_url: str, fake: FakeDingTalk) -> Iterator[Runtime]:  # noqa: F811
    """The DingTalk adapter's runtime (test_dingtalk_stream's), on SQLite and PostgreSQL."""
    built = build(
        Settings(
            database_url=any_db_url,
            now=NOW,
            locale=None,
            dingtalk_client_id=CLIENT_ID,
            dingtalk_client_secret=CLIENT_SECRET,
            dingtalk_robot_code=ROBOT_CODE,
            dingtalk_api_url=fake.api_url,
        ),
        migrate=False,
    )
    yield built
    built.engine.dispose()


def test_slack_http_fuzz(slack: Harness, trial: Trial, caplog: pytest.LogCaptureFixture) -> None:
    team(slack)
    slack.run('action add "Draft the checklist" owner <@U2> due fri')
    engine = slack.runtime.engine
    tally = Tally()

    @FUZZ
    @given(typed=commands(SLACK_MENTIONS, slack_escaped), who=st.sampled_from(["U1", "U2", "U3"]))
    @examples([{"typed": k.format(max="<@U2>"), "who": "U1"} for k in KNOWN])
    def one(typed: str, who: str) -> None:
        slack.n += 1
        fields = slash_body(slack.fake, typed, who, CHANNEL, slack.n)
        key = f"slack:trigger_id:{fields['trigger_id']}"
        path = f"/response/cmd{slack.n}"
        before, calls = rows(engine), len(slack.fake.calls)
        body = form(fields)
        status, _, _ = post(slack.url, body, signed_headers(body))
        assert status == 200, typed
        # a refusal is private: it comes back on this command's response_url, after the
        # rollback; a command that went through has claimed its key before it answers
        until(lambda: any(c.path == path for c in slack.fake.calls[calls:])
              or claimed(engine, key), timeout=10)
        refused = not claimed(engine, key)
        until(lambda: any(c.method in ANSWERS for c in slack.fake.calls[calls:]), timeout=10)
        shown = " ".join(c.dump() for c in slack.fake.calls[calls:] if c.method in ANSWERS)
        check_answer(shown, typed)
        tally.commands += 1
        if refused:
            tally.refused += 1
            assert rows(engine) == before, typed

    trial.tried(f"hypothesis: {len(KNOWN)} known and {FUZZ.max_examples} generated /tf commands on "
                f"{engine.dialect.name}, English and Chinese words, Slack markup")
    one()
    assert errors(caplog) == []
    trial.held(
        f"{tally.commands} answered, none 'went wrong', nothing logged as an error; "
        f"{tally.refused} refused, each with every table unchanged; no template evaluated"
    )


def test_dingtalk_fuzz(fake, adapter, runtime, trial: Trial, caplog) -> None:  # noqa: ANN001, F811
    pushed = fake.robot_message
    fake.push(pushed(" project create 审批提速", staff_id="u-wang", nick="王磊",
                     conversation=GROUP))
    fake.wait_posts(WEBHOOK, 1)
    fake.wait(lambda: not adapter._tasks)
    tally = Tally()

    @FUZZ
    @given(typed=commands(DINGTALK_MENTIONS))
    @examples([{"typed": k.format(max="@王磊")} for k in KNOWN])
    def one(typed: str) -> None:
        before, posts = rows(runtime.engine), len(fake.posts_to(WEBHOOK))
        message = pushed(" " + typed, staff_id="u-wang", nick="王磊", conversation=GROUP)
        fake.push(message)
        fake.wait_posts(WEBHOOK, posts + 1)
        fake.wait(lambda: not adapter._tasks)  # all of this message's answers are out
        answers = fake.posts_to(WEBHOOK)[posts:]
        check_answer(" ".join(str(a["body"]) for a in answers), typed)
        tally.commands += 1
        if not claimed(runtime.engine, f"dingtalk:{message['msgId']}"):
            tally.refused += 1
            assert rows(runtime.engine) == before, typed

    trial.tried(f"hypothesis: {len(KNOWN)} known and {FUZZ.max_examples} generated messages on "
                f"{runtime.engine.dialect.name}, Chinese and English words, @mentions")
    one()
    assert errors(caplog) == []
    trial.held(
        f"{tally.commands} answered, none 'went wrong', nothing logged as an error; "
        f"{tally.refused} refused, each with every table unchanged; no template evaluated"
    )


def test_a_nul_in_a_platforms_name_or_id_is_dropped(fake, adapter, runtime, trial) -> None:  # noqa: ANN001, F811
    sender = ("u-li\x00", "李\x00娜")
    trial.tried(f"a DingTalk message from staff id {sender[0]!r}, nick {sender[1]!r} "
                f"on {runtime.engine.dialect.name}")
    message = fake.robot_message(" project create 审批提速", staff_id=sender[0], nick=sender[1],
                                 conversation=GROUP)
    message["msgId"] += "\x00"
    fake.push(message)
    answer = str(fake.wait_posts(WEBHOOK, 1)[0]["body"])
    assert "审批提速" in answer and not any(p in answer for p in INTERNAL), answer
    names = rows(runtime.engine)["person"]
    assert any("李娜" in row and "u-li" in row for row in names), names
    trial.held("the project was created; the person stored as u-li / 李娜")
