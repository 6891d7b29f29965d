"""A scheduled post that fails because the bot is not in the channel: the process owner
hears once, by DM, and `taskforce status` names the channel."""

from __future__ import annotations

import io

from support_scheduler import at, rows, run_tick, seed_project, sqlite_runtime

from bot.outbox.report import print_status
from storage.delivery_tables import OutboxMessage
from storage.engine import transaction
from storage.models import Project


def _failed_post(runtime, error: str) -> None:  # noqa: ANN001
    with transaction(runtime.engine) as db:
        project = db.query(Project).one()
        db.add(
            OutboxMessage(
                dedupe_key="digest:x→#ops", platform="console", channel_id="ops",
                kind="digest", project_id=project.id, payload="📊", state="failed",
                attempts=1, next_attempt_at=runtime.clock.now(), last_error=error,
                created_at=runtime.clock.now(),
            )
        )


def test_the_process_owner_hears_once_and_status_names_the_channel(tmp_path) -> None:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T09:00"))
    seed_project(runtime)
    _failed_post(runtime, "slack: not_in_channel")
    first = run_tick(runtime, at("2026-11-16T09:15"))
    second = run_tick(runtime, at("2026-11-17T09:15"))
    told = [text for target, text in first + second if "/invite @Taskforce" in text]
    assert len(told) == 1 and "ops" in told[0] and "OPS" in told[0]
    assert [r.user_id for r in rows(runtime, kind="notice_unreachable")] == ["ann"]
    out = io.StringIO()
    print_status(runtime.settings, out)
    assert "channels the bot cannot post in" in out.getvalue() and "#ops [console] of OPS" in (
        out.getvalue()
    )


def test_other_failures_tell_nobody(tmp_path) -> None:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T09:00"))
    seed_project(runtime)
    _failed_post(runtime, "slack: invalid_blocks")
    run_tick(runtime, at("2026-11-16T09:15"))
    assert rows(runtime, kind="notice_unreachable") == []
