"""Progress digests: schedules, catch-up after downtime, `digest now`, `digest set`."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from support_scheduler import at, inbound, rows, run_tick, say, seed_project, sqlite_runtime

from bot.runtime import Runtime
from storage import sweeps
from storage.delivery_tables import JobRun
from storage.engine import transaction
from storage.models import ActionItem

# 2026-11-16 is a Monday. The default schedule is weekly, Friday 17:00 project time.


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(runtime)
    say(runtime, "ann", 'action add "Old work" owner @cid due 2026-11-17')
    say(runtime, "ann", 'action add "Later work" owner @bob due 2026-11-27')
    run_tick(runtime, at("2026-11-16T10:00"))  # assignment DMs
    return runtime


def digests(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(target, text) for target, text in sent if text.startswith("📊")]


def test_weekly_digest_at_friday_five_once(rt: Runtime) -> None:
    assert digests(run_tick(rt, at("2026-11-20T16:59"))) == []
    sent = digests(run_tick(rt, at("2026-11-20T17:00")))
    assert [t for t, _ in sent] == ["#ops"]
    text = sent[0][1]
    assert text.startswith("📊 OPS Ops — weekly progress, Fri 2026-11-20")
    assert "Overdue (1):" in text and "A1 Old work" in text and "3 working days late" in text
    assert "Due in the next 7 days (1):" in text and "A2 Later work" in text
    assert "Blocked" not in text and "Done since" not in text  # empty sections left out
    for when in ("2026-11-20T17:01", "2026-11-21T17:00", "2026-11-26T09:00"):
        assert digests(run_tick(rt, at(when))) == []
    assert len(digests(run_tick(rt, at("2026-11-27T17:00")))) == 1


def test_a_period_missed_during_downtime_is_posted_once(rt: Runtime) -> None:
    sent = digests(run_tick(rt, at("2026-12-09T08:00")))  # down for three Fridays
    assert len(sent) == 1 and "Fri 2026-12-04" not in sent[0][1]  # as of now (Wed 12-09)
    assert "Wed 2026-12-09" in sent[0][1]
    assert digests(run_tick(rt, at("2026-12-09T08:00"))) == []
    assert digests(run_tick(rt, at("2026-12-10T17:00"))) == []
    assert len(digests(run_tick(rt, at("2026-12-11T17:00")))) == 1
    with transaction(rt.engine) as db:
        periods = sorted(r.period for r in db.query(JobRun).filter(JobRun.job == "digest"))
    assert periods == ["2026-W49", "2026-W50"]


def test_daily_digest_after_a_week_down_posts_one(rt: Runtime) -> None:
    say(rt, "ann", "digest set daily 09:30")
    assert len(digests(run_tick(rt, at("2026-11-17T09:30")))) == 1
    assert len(digests(run_tick(rt, at("2026-11-25T12:00")))) == 1  # a week later: one, not 6
    assert len(digests(run_tick(rt, at("2026-11-27T09:30")))) == 1
    assert digests(run_tick(rt, at("2026-11-28T09:30"))) == []  # Saturday: not a working day
    assert len(digests(run_tick(rt, at("2026-11-30T09:30")))) == 1


def test_done_since_last_digest_and_digest_now_keeps_the_mark(rt: Runtime) -> None:
    rt.clock.set(at("2026-11-18T11:00"))
    say(rt, "cid", "done A1")
    now = say(rt, "ann", "digest now")
    assert "'cadence': 'now'" in now and "Old work" in now
    sent = digests(run_tick(rt, at("2026-11-20T17:00")))
    assert "Done since the last digest (1):" in sent[0][1] and "✔ A1 Old work · cid" in sent[0][1]
    rt.clock.set(at("2026-11-24T11:00"))
    assert "Old work" not in say(rt, "ann", "digest now").split("'done'")[1].split("'n_done'")[0]
    assert "Done since" not in digests(run_tick(rt, at("2026-11-27T17:00")))[0][1]


def test_digest_set_checks_its_words_and_permission(rt: Runtime) -> None:
    bad = {
        "digest set hourly 10:00": "parse.bad_choice",
        "digest set weekly funday 10:00": "digest.bad_weekday",
        "digest set daily mon 10:00": "digest.daily_weekday",
        "digest set weekly mon 25:00": "parse.time",
        "quiet 22:00": "quiet.bad_range",
    }
    for text, key in bad.items():
        replies = rt.dispatcher.handle(inbound("ann", text))
        assert replies[0].data["key"] == key, text
    replies = rt.dispatcher.handle(inbound("cid", "digest set weekly mon 10:00"))
    assert replies[0].data["key"] == "perm.needs_lead"
    say(rt, "ann", "digest set weekly 周一 08:15")
    assert digests(run_tick(rt, at("2026-11-20T17:00"))) == []
    assert len(digests(run_tick(rt, at("2026-11-23T08:15")))) == 1
    assert [r.kind for r in rows(rt, kind="digest")] == ["digest"]


def test_done_since_loads_one_page_and_counts_the_rest(rt: Runtime) -> None:
    start = at("2026-11-16T11:00").astimezone(UTC)
    with transaction(rt.engine) as db:
        for seq in range(3, 33):
            item = ActionItem(
                project_id=1,
                seq=seq,
                title=f"done {seq}",
                owner_id=1,
                due_date=date(2026, 11, 20),
                original_due=date(2026, 11, 20),
                status="done",
                done_at=start + timedelta(minutes=seq),
                created_by=1,
                created_at=start,
                updated_at=start,
            )
            db.add(item)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(rt.engine, "before_cursor_execute", seen)
    try:
        with transaction(rt.engine) as db:
            page, total = sweeps.done_since(db, 1, start, 5)
            few, n_few = sweeps.done_since(db, 1, start + timedelta(minutes=30), 5)
    finally:
        event.remove(rt.engine, "before_cursor_execute", seen)
    assert total == 30 and [i.seq for i in page] == [32, 31, 30, 29, 28]
    assert n_few == 2 and [i.seq for i in few] == [32, 31]
    loads = [s for s in statements if "FROM actionitem" in s and "count(" not in s]
    assert loads and all("LIMIT" in s for s in loads)  # never every done row
    assert sum("count(" in s for s in statements) == 1  # counted only when a page is full


def test_weekly_digest_moves_before_a_public_holiday_within_its_week() -> None:
    from datetime import date

    from bot.jobs.periods import weekly_day
    from bot.workdays import calendar_for

    cn = calendar_for("cn")
    # Fri 2026-10-02 is National Day: that week's digest goes out on Wed 09-30
    assert weekly_day(4, cn, date(2026, 10, 1)) == date(2026, 9, 30)
    assert weekly_day(4, cn, date(2026, 9, 28)) == date(2026, 9, 30)
    # an ordinary week keeps its Friday; a Monday digest is skipped in the week whose
    # Monday 10-05 is a holiday with no working day before it
    assert weekly_day(4, cn, date(2026, 11, 18)) == date(2026, 11, 20)
    assert weekly_day(0, cn, date(2026, 10, 6)) is None
    assert weekly_day(5, cn, date(2026, 11, 18)) == date(2026, 11, 21)  # Saturday, chosen
