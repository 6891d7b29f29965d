"""Outbox rows: rendered per platform, idempotent on the dedupe key, written in the
command's transaction (or not at all), claimed by one worker at a time."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from support_scheduler import at, inbound, rows, say, seed_project, sqlite_runtime

from bot import permission_table, registry
from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue, enqueue_many
from bot.runtime import Runtime
from storage import outbox
from storage.engine import transaction
from storage.models import Project


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = sqlite_runtime(tmp_path, at("2026-11-20T10:00"))
    seed_project(runtime)
    return runtime


def notice(target: Target, key: str | None = "k", text: str = "hi") -> Notice:
    return Notice(
        target, "message", {"key": "quiet.bad_range", "params": {"value": text}}, dedupe_key=key
    )


def test_insert_is_idempotent_per_key_and_target(rt: Runtime) -> None:
    ops, cid = Target("console", channel_id="ops"), Target("console", user_id="cid")
    with transaction(rt.engine) as db:
        assert enqueue(db, [notice(ops), notice(cid)], rt.clock.now(), "UTC") == 2
        assert enqueue(db, [notice(ops), notice(cid)], rt.clock.now(), "UTC") == 0
    with transaction(rt.engine) as db:
        assert (
            enqueue(
                db,
                [notice(ops), notice(ops, key=None), notice(ops, key=None)],
                rt.clock.now(),
                "UTC",
            )
            == 2
        )
    keys = [r.dedupe_key for r in rows(rt)]
    assert keys[:2] == ["k→#ops", "k→@cid"] and len(set(keys)) == 4
    assert rows(rt)[0].payload.startswith('"hi" is not a time range')


def test_notices_are_written_with_the_change_or_not_at_all(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def change_and_notify(ctx, args):  # noqa: ANN001, ANN202
        ctx.project.phase = "pilot"
        ctx.db.add(ctx.project)
        ctx.notices.append(Notice(Target("console", user_id="bob"), "no_such_template", {}))
        return ctx.say("project.phase_set", "channel", project="OPS", phase="pilot")

    monkeypatch.setitem(permission_table.RULES, "zz.test", "manage")  # a test-only command
    registry.command("zz test notify", permission="manage", id="zz.test")(change_and_notify)
    try:
        replies = rt.dispatcher.handle(inbound("ann", "zz test notify"))
    finally:
        del registry.COMMANDS[("zz", "test", "notify")]
    assert replies[0].data["key"] == "error.internal"  # the notice could not be rendered …
    with transaction(rt.engine) as db:
        assert db.get(Project, 1).phase == "diagnose"  # … so the change was rolled back too
    assert rows(rt) == []
    say(rt, "ann", 'action add "Thing" owner @cid due 2026-11-27')
    [row] = rows(rt)
    assert (row.user_id, row.kind, row.project_id) == ("cid", "notice_assigned", 1)


def test_each_platform_renders_with_its_own_renderer(rt: Runtime) -> None:
    with transaction(rt.engine) as db:
        enqueue(
            db,
            [
                notice(Target("slack", channel_id="C1"), text="<!channel>"),
                notice(Target("dingtalk", channel_id="cid1"), text="<!channel>"),
                notice(Target("console", channel_id="ops"), text="<!channel>"),
            ],
            rt.clock.now(),
            "UTC",
        )
    slack, dingtalk, console = rows(rt)
    assert "&lt;!channel&gt;" in json.loads(slack.payload)["text"]  # Block Kit JSON, escaped
    assert "＜!channel＞" in dingtalk.payload and "<!channel>" not in dingtalk.payload
    assert "<!channel>" in console.payload


EVIL = "[x](http://evil) @all"


def test_a_dingtalk_notice_is_stored_escaped_without_any_sender(rt: Runtime) -> None:
    """No DingTalk sender or credentials in this process (as in `taskforce tick` or the
    console sharing a database with DingTalk projects): the notice is still escaped."""
    item = {
        "id": "A1",
        "title": EVIL,
        "owner": "cid",
        "due": date(2026, 11, 27),
        "status": "open",
        "late": 0,
        "blocked_reason": None,
        "slips": 0,
    }
    data = {
        "item": item,
        "project": "OPS",
        "project_name": "Ops",
        "actor": "ann",
        "deliverable": None,
    }
    target = Target("dingtalk", user_id="staff1")
    with transaction(rt.engine) as db:
        enqueue(
            db, [Notice(target, "notice_assigned", data, dedupe_key="evil")], rt.clock.now(), "UTC"
        )
    [row] = rows(rt)
    assert "［x］(http:\u200b//evil) ＠all" in row.payload
    assert "[x](" not in row.payload and "@all" not in row.payload and "http://" not in row.payload


def test_outbox_renderers_load_no_platform_sdk() -> None:
    code = (
        "import sys, bot.outbox.enqueue as e\n"
        "print(type(e.renderer('slack')).__name__, type(e.renderer('dingtalk')).__name__)\n"
        "import bot.adapters.slack, bot.adapters.dingtalk\n"
        "sdks = ('slack_bolt', 'slack_sdk', 'dingtalk_stream')\n"
        "print(sorted(m for m in sdks if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["OutboxRenderer DingTalkRenderer", "[]"]


def test_a_notice_that_cannot_render_is_skipped_with_on_error(rt: Runtime) -> None:
    ops = Target("console", channel_id="ops")
    bad = Notice(ops, "no_such_template", {}, dedupe_key="bad")
    failed = []
    with transaction(rt.engine) as db:
        with pytest.raises(Exception, match="no_such_template"):
            enqueue(db, [notice(ops), bad], rt.clock.now(), "UTC")
        queued = enqueue_many(
            db,
            [(notice(ops), 1), (bad, 1)],
            rt.clock.now(),
            "UTC",
            on_error=lambda n, project_id, error: failed.append((n.dedupe_key, project_id)),
        )
    assert queued == 1 and failed == [("bad", 1)]


def test_many_rows_are_inserted_in_chunks(rt: Runtime) -> None:
    notices = [
        (notice(Target("console", channel_id="ops"), key=f"k{i}"), None) for i in range(1203)
    ]
    with transaction(rt.engine) as db:
        assert enqueue_many(db, notices, rt.clock.now(), "UTC") == 1203
        assert enqueue_many(db, notices, rt.clock.now(), "UTC") == 0
        assert outbox.insert(db, [], chunk=2) == 0
    assert len(rows(rt)) == 1203


def test_a_claim_is_exclusive_until_its_lease_runs_out(rt: Runtime) -> None:
    now, lease = rt.clock.now(), timedelta(minutes=5)
    with transaction(rt.engine) as db:
        enqueue(
            db,
            [notice(Target("console", channel_id=f"c{i}"), key=f"k{i}") for i in range(3)],
            now,
            "UTC",
        )
    with transaction(rt.engine) as db:
        first = outbox.claim(db, "one", ["console"], now, lease, 2)
    with transaction(rt.engine) as db:
        second = outbox.claim(db, "two", ["console"], now, lease, 10)
        assert outbox.claim(db, "two", ["slack"], now, lease, 10) == []  # no sender, no claim
    assert len(first) == 2 and len(second) == 1
    with transaction(rt.engine) as db:
        assert not outbox.mark_sent(db, first[0].id, "two", now)  # not yours
        assert outbox.mark_sent(db, first[0].id, "one", now)
    with transaction(rt.engine) as db:
        taken = outbox.claim(db, "three", ["console"], now + lease, lease, 10)
    assert sorted(r.id for r in taken) == sorted([first[1].id, second[0].id])


def test_a_reassignment_tells_the_new_and_the_previous_owner(rt: Runtime) -> None:
    say(rt, "ann", 'action add "Thing" owner @cid due 2026-11-27')
    say(rt, "bob", "action reassign A1 @ann")  # bob (lead) gives it to ann
    news = [(r.user_id, r.kind) for r in rows(rt)]
    assert news == [
        ("cid", "notice_assigned"),
        ("ann", "notice_assigned"),
        ("cid", "notice_unassigned"),
    ]
    assert "no longer yours" in rows(rt, kind="notice_unassigned")[0].payload
