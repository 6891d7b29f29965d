"""After the switch to rollout: daily digests for two weeks, then the schedule again;
six months on, one reminder to the process owner. Through the real jobs and outbox."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from support_scheduler import at, run_tick, say, seed_project, sqlite_runtime

from bot.jobs.rollout import add_months
from bot.runtime import Runtime
from storage.delivery_tables import JobRun
from storage.engine import transaction

# 2026-11-16 is a Monday; the project (Berlin, weekends calendar) keeps the default
# schedule: weekly, Friday 17:00.


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(runtime)
    run_tick(runtime, at("2026-11-16T10:00"))
    say(runtime, "ann", "project phase rollout")
    return runtime


def digests(sent: list[tuple[str, str]]) -> list[str]:
    return [text for _, text in sent if text.startswith("📊")]


def periods(rt: Runtime, job: str) -> list[str]:
    with transaction(rt.engine) as db:
        return sorted(r.period for r in db.exec(select(JobRun).where(JobRun.job == job)))


def test_daily_digests_for_two_weeks_then_weekly_again(rt: Runtime) -> None:
    posted: dict[date, list[str]] = {}
    day = date(2026, 11, 16)
    while day <= date(2026, 12, 11):
        sent = digests(run_tick(rt, at(f"{day}T17:00")))
        sent += digests(run_tick(rt, at(f"{day}T17:30")))  # once per period
        if sent:
            posted[day] = sent
        day += timedelta(days=1)
    early = [date(2026, 11, d) for d in (16, 17, 18, 19, 20, 23, 24, 25, 26, 27)]
    assert list(posted) == [*early, date(2026, 12, 4), date(2026, 12, 11)]
    assert all(len(texts) == 1 for texts in posted.values())
    for day in early:
        assert posted[day][0].startswith(
            f"📊 OPS Ops — daily early-rollout digest, {day:%a} {day.isoformat()} "
            "(every working day for the first two weeks of rollout)"
        )
    assert posted[date(2026, 12, 4)][0].startswith("📊 OPS Ops — weekly progress, Fri 2026-12-04")
    assert periods(rt, "digest") == sorted(
        [d.isoformat() for d in early] + ["2026-W49", "2026-W50"]
    )


def test_digest_set_during_the_early_weeks_keeps_them_daily(rt: Runtime) -> None:
    say(rt, "ann", "digest set weekly thu 16:00")
    assert digests(run_tick(rt, at("2026-11-16T15:59"))) == []
    posted = []
    day = date(2026, 11, 16)
    while day <= date(2026, 12, 3):
        posted += [(day, text) for text in digests(run_tick(rt, at(f"{day}T16:00")))]
        day += timedelta(days=1)
    days = [d.day for d, _ in posted]
    assert days == [16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 3]  # at the new time
    assert "weekly progress, Thu 2026-12-03" in posted[-1][1]


def reminders(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(target, text) for target, text in sent if "Six months of rollout" in text]


def test_six_months_after_rollout_the_process_owner_is_reminded_once(rt: Runtime) -> None:
    assert reminders(run_tick(rt, at("2027-05-14T09:00"))) == []
    # 2027-05-16 is a Sunday: the first working day from six months on is Monday the 17th
    assert reminders(run_tick(rt, at("2027-05-17T08:59"))) == []
    sent = reminders(run_tick(rt, at("2027-05-17T09:00")))
    assert [target for target, _ in sent] == ["@ann"]
    assert "🔁 Six months of rollout: OPS Ops" in sent[0][1]
    assert "OPS switched to rollout on Mon 2026-11-16" in sent[0][1]
    assert "(半年后再优化)" in sent[0][1]
    for when in ("2027-05-17T10:00", "2027-05-18T09:00", "2027-11-17T09:00"):
        assert reminders(run_tick(rt, at(when))) == []
    assert periods(rt, "rollout-review") == ["2026-11-16"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 11, 16), date(2027, 5, 16)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 7, 1), date(2027, 1, 1)),
    ],
)
def test_six_calendar_months(start: date, expected: date) -> None:
    assert add_months(start, 6) == expected


def test_on_each_database_the_early_digests_and_the_reminder_go_out_once(any_db_url) -> None:  # noqa: ANN001
    from support_scheduler import runtime_at

    runtime = runtime_at(any_db_url, at("2026-11-16T10:00"))
    try:
        seed_project(runtime)
        say(runtime, "ann", "project phase rollout")
        for day in ("16", "17"):
            assert len(digests(run_tick(runtime, at(f"2026-11-{day}T17:00")))) == 1
            assert digests(run_tick(runtime, at(f"2026-11-{day}T17:00"))) == []
        assert len(reminders(run_tick(runtime, at("2027-05-17T09:00")))) == 1
        assert reminders(run_tick(runtime, at("2027-05-17T09:00"))) == []
        assert periods(runtime, "rollout-review") == ["2026-11-16"]
    finally:
        runtime.engine.dispose()
