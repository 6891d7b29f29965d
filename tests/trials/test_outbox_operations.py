"""Trials: operating the outbox through an outage. `taskforce status` accounts for every
queued row, the leases held and by whom, and the oldest undelivered age;
`taskforce outbox retry` re-queues; a project's process owner hears once that its
posts keep failing."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from support_scheduler import FakeChatServer, at, rows, seed_project, sqlite_runtime
from trial_report import Trial
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from bot.outbox.http import WebhookSender
from bot.outbox.loop import DeliveryLoop
from bot.runtime import Runtime
from storage import pace
from storage.engine import transaction
from storage.models import Project


def cli(rt: Runtime, *args: str) -> Result:
    """The `taskforce` command line, in this process (its settings from the environment)."""
    env = {k: None for k in os.environ if k.startswith(("TASKFORCE_", "SLACK_", "DINGTALK_"))}
    env.update(
        TASKFORCE_DATABASE_URL=rt.settings.database_url,
        TASKFORCE_NOW=rt.clock.now().isoformat(),
        TASKFORCE_LOCALE="en",
        TASKFORCE_TIMEZONE="Europe/Berlin",
    )
    return CliRunner().invoke(app, list(args), env=env)


def post(rt: Runtime, channel: str, count: int, tag: str) -> None:
    with transaction(rt.engine) as db:
        project_id = db.exec(Project.__table__.select()).first().id  # type: ignore[attr-defined]
        notices = [
            Notice(
                Target("console", channel_id=channel), "message",
                {"key": "quiet.off", "params": {}}, dedupe_key=f"{tag}:{i}",
            )
            for i in range(count)
        ]
        enqueue(db, notices, rt.clock.now(), "UTC", project_id)


def test_status_retry_and_the_owner_alert(tmp_path: Path, trial: Trial) -> None:
    rt = sqlite_runtime(tmp_path, at("2026-11-20T10:00"))
    seed_project(rt)
    trial.tried("2 digest posts to #ops refused for good (HTTP 404)")
    post(rt, "ops", 2, "digest")
    with FakeChatServer([(404, {})] * 2) as server:
        sender = WebhookSender("console", server.url, per_channel_per_minute=0, timeout=2)
        DeliveryLoop(rt.engine, rt.clock, {"console": sender}).run_once()
    failed = rows(rt, state="failed")
    assert len(failed) == 2

    trial.tried("the jobs run twice: who hears about the failing posts")
    env = JobEnv(rt.engine, rt.clock, rt.settings)
    run_due(env)
    rt.clock.advance(timedelta(minutes=5))
    run_due(env)
    alerts = rows(rt, kind="notice_delivery_failing")
    assert [(a.user_id, a.channel_id) for a in alerts] == [("ann", None)], alerts
    assert "2 posts of OPS" in alerts[0].payload
    trial.held("the process owner @ann got one DM (not two) naming the 2 failed posts")

    trial.tried("25 rows queued to #eng, one leased by another process, then `taskforce status`")
    post(rt, "eng", 25, "backlog")
    with transaction(rt.engine) as db:
        [held] = pace.claim_ready(
            db, "other-host:4242:ab", {"console": 0}, rt.clock.now(), timedelta(minutes=5), 1
        )
    rt.clock.advance(timedelta(minutes=90))
    status = cli(rt, "status")
    assert status.exit_code == 0, status.output
    text = status.stdout
    assert "#eng [console]: 25 queued, oldest from 2026-11-20 09:05 UTC" in text, text
    assert "oldest undelivered: 1 h 35 min old" in text, text
    assert "other-host:4242:ab: 1 rows" not in text  # its lease (5 min) ran out 85 min ago
    trial.held("status counts all 25 (not the newest 20) and the age 1 h 35 min")

    with transaction(rt.engine) as db:
        pace.claim_ready(
            db, "other-host:4242:ab", {"console": 0}, rt.clock.now(), timedelta(minutes=5), 1
        )
    text = cli(rt, "status").stdout
    assert "leases held:\n  other-host:4242:ab: 1 rows, until" in text, text
    trial.held("a live lease is shown with the process that holds it")

    trial.tried("`taskforce outbox retry --failed`, and `retry` of an unknown id")
    again = cli(rt, "outbox", "retry", "--failed")
    ids = ", ".join(f"#{r.id}" for r in failed)
    assert again.exit_code == 0 and f"re-queued 2 messages: {ids}" in again.stdout, again
    assert [(r.state, r.attempts) for r in rows(rt, kind="message")[:2]] == [("queued", 0)] * 2
    unknown = cli(rt, "outbox", "retry", "99999")
    assert unknown.exit_code == 1 and "not re-queued" in unknown.stderr, unknown
    nothing = cli(rt, "outbox", "retry")
    assert nothing.exit_code == 2 and "--failed" in nothing.stderr
    with FakeChatServer() as server:
        sender = WebhookSender("console", server.url, per_channel_per_minute=0)
        DeliveryLoop(rt.engine, rt.clock, {"console": sender}).run_once()
    assert [r.state for r in rows(rt, kind="message")[:2]] == ["sent", "sent"]
    trial.held("the 2 failed posts were re-queued and delivered; an unknown id is refused")
