"""Outbox rows: rendered per platform, idempotent on the dedupe key, written in the
command's transaction (or not at all), claimed by one worker at a time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support_scheduler import at, inbound, rows, say, seed_project, sqlite_runtime

from bot import registry
from bot.messages import Notice, Target
from bot.outbox import enqueue as enqueue_module
from bot.outbox.enqueue import enqueue, register_renderer
from bot.render import Renderer
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


def test_notices_are_written_with_the_change_or_not_at_all(rt: Runtime) -> None:
    def change_and_notify(ctx, args):  # noqa: ANN001, ANN202
        ctx.project.phase = "pilot"
        ctx.db.add(ctx.project)
        ctx.notices.append(Notice(Target("console", user_id="bob"), "no_such_template", {}))
        return ctx.say("project.phase_set", "channel", project="OPS", phase="pilot")

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
    register_renderer("slack", Renderer("slack", escape=lambda s: s.replace("<", "&lt;")))
    try:
        with transaction(rt.engine) as db:
            enqueue(
                db,
                [
                    notice(Target("slack", channel_id="C1"), text="<!channel>"),
                    notice(Target("console", channel_id="ops"), text="<!channel>"),
                ],
                rt.clock.now(),
                "UTC",
            )
    finally:
        enqueue_module._RENDERERS.pop("slack")
    slack, console = rows(rt)
    assert "&lt;!channel>" in slack.payload and "<!channel>" in console.payload


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
