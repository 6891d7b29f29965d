"""The grouped morning overdue post: one per channel and morning, owners mentioned by the
bot's own ids, paged to fit Slack's and DingTalk's limits (through the real senders
against the local fakes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from slack_fake import BOT_TOKEN, FakeSlack
from slack_sdk import WebClient
from support_scheduler import at, rows, run_tick, say, seed_project, sqlite_runtime
from test_dingtalk_fakes import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, FakeDingTalk

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.openapi import OpenApi
from bot.adapters.dingtalk.sender import DingTalkSender
from bot.adapters.slack.sender import SlackSender
from bot.notices import overdue_post_notices
from bot.outbox.enqueue import renderer
from bot.workdays import calendar_for
from storage.models import ActionItem, ChannelBinding, Person, Project

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TASKFORCE_TEST_POSTGRES_URL")
WEEKENDS = calendar_for("weekends")
MONDAY = date(2026, 11, 23)


def three_overdue(rt) -> None:  # noqa: ANN001
    seed_project(rt)
    for title, owner in (("Map", "cid"), ("Budget", "bob"), ("Slides", "ann")):
        say(rt, "ann", f'action add "{title}" owner @{owner} due 2026-11-18')


def tick_process(url: str, when: str) -> subprocess.Popen:
    env = {**os.environ, "TASKFORCE_DATABASE_URL": url, "TASKFORCE_TIMEZONE": "UTC"}
    env.pop("TASKFORCE_NOW", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--at", when],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_items_overdue_the_same_morning_make_one_post_and_three_dms(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    three_overdue(rt)
    sent = [(t, x) for t, x in run_tick(rt, at("2026-11-19T09:00")) if x.startswith("⏰")]
    assert sorted(t for t, _ in sent) == ["#ops", "@ann", "@bob", "@cid"]
    post = dict(sent)["#ops"]
    assert "3 items newly overdue" in post
    assert all(f"{title} · {owner}" in post for title, owner in [("Map", "cid"), ("Budget", "bob")])
    assert "more still overdue" not in post  # nothing older: no count line
    assert [t for t, x in run_tick(rt, at("2026-11-19T09:01")) if x.startswith("⏰")] == []
    dms = [r.dedupe_key.split("→")[0] for r in rows(rt, kind="overdue_dm")]
    assert sorted(dms) == sorted(f"overdue:{i}:2026-11-18" for i in (1, 2, 3))


def test_the_next_morning_counts_what_is_still_overdue(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    three_overdue(rt)
    say(rt, "ann", 'action add "Later" owner @cid due 2026-11-19')
    run_tick(rt, at("2026-11-19T09:00"))
    posts = [x for t, x in run_tick(rt, at("2026-11-20T09:00")) if t == "#ops"]
    friday = [x for x in posts if x.startswith("⏰")]  # (the ladder's own post is separate)
    assert len(friday) == 1 and "A4 Later" in friday[0] and "A1 Map" not in friday[0]
    assert "and 3 more still overdue from before — `action list overdue`" in friday[0]
    # Monday: nothing newly overdue, four still are: no post for the count alone
    monday = run_tick(rt, at("2026-11-23T09:00"))
    assert [t for t, x in monday if t == "#ops" and x.startswith("⏰")] == []


def replicas(url: str) -> None:
    when = "2026-11-19T09:30:00+01:00"
    first, second = tick_process(url, when), tick_process(url, when)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for (_, err), process in zip(outputs, (first, second), strict=True):
        assert process.returncode == 0, err
    together = outputs[0][0] + outputs[1][0]
    assert together.count("→ #ops\n⏰ OPS Ops: 3 items newly overdue") == 1
    assert together.count("⏰ Your item OPS") == 3
    again = [p.communicate(timeout=120)[0] for p in (tick_process(url, when),) * 1]
    assert "⏰" not in again[0]


def test_two_replicas_on_sqlite_post_once(tmp_path: Path) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    three_overdue(rt)
    run_tick(rt, at("2026-11-16T10:00"))
    rt.engine.dispose()
    replicas(rt.settings.database_url)


@pytest.mark.skipif(not PG_URL, reason="TASKFORCE_TEST_POSTGRES_URL is not set")
def test_two_replicas_on_postgresql_post_once(pg_url: str) -> None:
    from support_scheduler import runtime_at

    rt = runtime_at(pg_url, at("2026-11-16T10:00"))
    three_overdue(rt)
    run_tick(rt, at("2026-11-16T10:00"))
    rt.engine.dispose()
    replicas(pg_url)


def overdue_items(count: int, platform: str, title: str) -> list[tuple[ActionItem, Person]]:
    found = []
    for i in range(1, count + 1):
        uid = f"U{i:05d}" if platform == "slack" else f"staff{i:04d}"
        owner = Person(id=i, platform=platform, user_id=uid, display_name=f"<@UEVIL> {i}")
        item = ActionItem(
            id=i, project_id=1, seq=i, title=f"{title} {i}", owner_id=i, due_date=date(2026, 11, 20)
        )
        found.append((item, owner))
    return found


def posts(platform: str, count: int, title: str, locale: str = "en") -> list:  # noqa: ANN401
    project = Project(id=1, key="OPS", name="Ops", locale=locale)
    binding = ChannelBinding(project_id=1, platform=platform, channel_id="C0OPS")
    items = overdue_items(count, platform, title)
    return overdue_post_notices(project, [binding], items, 5, MONDAY, WEEKENDS)


def test_slack_post_mentions_owners_by_id_within_block_kit_limits() -> None:
    notices = posts("slack", 60, "Review the supplier contract & pricing")
    fake = FakeSlack().start()
    try:
        sender = SlackSender(WebClient(token=BOT_TOKEN, base_url=fake.url))
        for notice in notices:
            payload = renderer("slack").render(notice.template, notice.data, "en")
            sender.deliver(notice.target, payload)
        calls = fake.of("chat.postMessage")
    finally:
        fake.stop()
    assert len(calls) == len(notices) == 1  # 60 lines fit one post (ten to a section)
    blocks = calls[0].args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    shown = json.dumps(blocks, ensure_ascii=False)
    assert all(f"<@U{i:05d}>" in shown for i in range(1, 61))
    assert "<@UEVIL>" not in shown and "&amp; pricing" in shown  # typed text stays text
    assert "accessory" not in shown  # 60 buttons do not fit: none
    assert "and 5 more still overdue" in shown
    few = json.loads(renderer("slack").render("overdue_post", posts("slack", 3, "x")[0].data, "en"))
    buttons = [b["accessory"]["value"] for b in few["blocks"][1:4]]
    assert buttons == ["done A1", "done A2", "done A3"]  # a button each where they fit


def test_a_very_long_slack_post_is_paged() -> None:
    notices = posts("slack", 700, "x" * 180)
    assert len(notices) > 1
    keys = [n.dedupe_key for n in notices[:2]]
    assert keys == ["overdue_post:2026-11-23", "overdue_post:2026-11-23:2"]
    listed = 0
    for notice in notices:
        payload = json.loads(renderer("slack").render(notice.template, notice.data, "en"))
        assert len(payload["blocks"]) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in payload["blocks"] if "text" in b)
        listed += str(payload["blocks"]).count("<@U")
        assert ("more still overdue" in str(payload)) == (notice is notices[-1])
    assert listed == 700


def test_dingtalk_post_at_mentions_owners_by_staff_id_under_20000_bytes() -> None:
    notices = posts("dingtalk", 300, "更新供应商合同审批模板并同步给法务与采购部门" * 3, "zh-CN")
    assert len(notices) > 1  # 300 long Chinese lines need more than one post
    with FakeDingTalk() as fake:
        config = DingTalkConfig(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.api_url)
        sender = DingTalkSender(OpenApi(config), ROBOT_CODE)
        for notice in notices:
            payload = renderer("dingtalk").render(notice.template, notice.data, "zh-CN")
            sender.deliver(notice.target, payload)
        sent = fake.posts_to("/v1.0/robot/groupMessages/send")
    assert len(sent) == len(notices)
    mentioned: list[str] = []
    for post in sent:
        body = post["body"]
        assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) < 20_000
        text = json.loads(body["msgParam"])["text"]
        ids = body["at"]["atUserIds"]
        assert ids and all(f"@{staff}" in text for staff in ids)
        assert "@UEVIL" not in text and "＜＠UEVIL＞" not in text  # names shown as ids
        mentioned += ids
    assert mentioned == [f"staff{i:04d}" for i in range(1, 301)]
    assert "另有 5 项此前已逾期" in json.loads(sent[-1]["body"]["msgParam"])["text"]


def test_an_owner_on_another_platform_is_named_not_mentioned() -> None:
    project = Project(id=1, key="OPS", name="Ops", locale="en")
    binding = ChannelBinding(project_id=1, platform="dingtalk", channel_id="cid1")
    [(item, owner)] = overdue_items(1, "slack", "t")
    [notice] = overdue_post_notices(project, [binding], [(item, owner)], 0, MONDAY, WEEKENDS)
    payload = renderer("dingtalk").render(notice.template, notice.data, "en")
    assert "U00001" not in payload and "＜＠UEVIL＞ 1" in payload  # the name, escaped
    assert "\u2063at" not in payload  # and no atUserIds


if PG_URL:
    from test_jobs_postgres import pg_url  # noqa: F401  (the throw-away database fixture)
