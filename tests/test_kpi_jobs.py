"""KPI asks on the project calendar's working days: the first ask, the second two working
days later, the stale notice to the process owner once, nothing twice across a second
tick or a restart; holidays move an ask; the digest flags a stale KPI."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import Chat, make_chat
from sqlmodel import Session, select

from bot.jobs.kpis import kpi_sweep
from bot.jobs.registry import JobEnv
from bot.kpi_periods import recent_periods
from bot.workdays import calendar_for
from storage.delivery_tables import OutboxMessage


def sweep(chat: Chat, at: str) -> list[OutboxMessage]:
    """Run the KPI job at `at`; the outbox rows it queued."""
    with Session(chat.runtime.engine) as db:
        seen = {r.id for r in db.exec(select(OutboxMessage)).all()}
    chat.at(at)
    kpi_sweep(JobEnv(chat.runtime.engine, chat.runtime.clock, chat.runtime.settings))
    with Session(chat.runtime.engine) as db:
        rows = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if r.id not in seen]


def summary(rows: list[OutboxMessage]) -> list[tuple[str, str, str]]:
    return [(r.kind, r.user_id or "", r.dedupe_key.split("→")[0]) for r in rows]


@pytest.fixture
def weekly(team: Chat) -> Chat:
    """KPI cycle, recorded by max every Monday (set on Wednesday 2026-11-18)."""
    team("olivia", "project kpi cycle baseline 15 target 7 unit days")
    team("olivia", "project kpi cycle every week on mon owner @max")
    return team


def test_periods_move_off_holidays() -> None:
    cn = calendar_for("cn")
    # National Day 2026: Thursday Oct 1 to Wednesday Oct 7 are off
    first, second = recent_periods("week", 3, date(2026, 10, 8), cn)
    assert (first.start, first.ask, first.second, first.stale) == (
        date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 10), date(2026, 10, 12))
    assert first.swallowed and not second.swallowed  # only 2026-W41 is asked for, once
    assert second.key == "2026-W41" and second.ask == date(2026, 10, 8)
    month = recent_periods("month", 31, date(2027, 2, 28), cn)[1]
    assert (month.key, month.start, month.end) == ("2027-02", date(2027, 2, 28), date(2027, 3, 31))


def test_first_ask_second_ask_then_stale_once(weekly: Chat) -> None:
    assert sweep(weekly, "2026-11-23T08:59:00+08:00") == []  # before 09:00
    first = sweep(weekly, "2026-11-23T09:01:00+08:00")
    assert summary(first) == [("kpi_ask", "max", "kpi-first:1:2026-W48")]
    assert "please record its value for the week of Mon 2026-11-23" in first[0].payload
    assert "project kpi LA/cycle record <n>" in first[0].payload
    assert sweep(weekly, "2026-11-23T15:00:00+08:00") == []  # the same morning again
    assert sweep(weekly, "2026-11-24T09:01:00+08:00") == []
    second = sweep(weekly, "2026-11-25T09:01:00+08:00")
    assert summary(second) == [("kpi_ask", "max", "kpi-second:1:2026-W48")]
    assert "still has no value" in second[0].payload
    assert "stale" not in weekly("olivia", "status")
    stale = sweep(weekly, "2026-11-26T09:01:00+08:00")
    assert summary(stale) == [("kpi_stale", "olivia", "kpi-stale:1:2026-W48")]
    assert "max has recorded no value for the week of Mon 2026-11-23" in stale[0].payload
    assert sweep(weekly, "2026-11-27T09:01:00+08:00") == []
    assert "stale: its last period has no value" in weekly("olivia", "status")
    digest = weekly("olivia", "digest now")
    assert "cycle: 15 → – → 7 days · stale: its last period has no value" in digest


def test_nothing_twice_after_a_restart(weekly: Chat, sqlite_url: str) -> None:
    assert len(sweep(weekly, "2026-11-23T09:01:00+08:00")) == 1
    restarted = make_chat(sqlite_url)
    try:
        assert sweep(restarted, "2026-11-23T09:30:00+08:00") == []
        assert [r.kind for r in sweep(restarted, "2026-11-25T09:01:00+08:00")] == ["kpi_ask"]
    finally:
        restarted.runtime.engine.dispose()
    assert sweep(weekly, "2026-11-25T10:00:00+08:00") == []


def test_a_value_for_the_period_stops_the_asks(weekly: Chat) -> None:
    assert len(sweep(weekly, "2026-11-23T09:01:00+08:00")) == 1
    weekly.at("2026-11-24T11:00:00+08:00")
    assert "recorded for Mon 2026-11-23: 12 days" in weekly(
        "max", "project kpi cycle record 12 on 11-23", channel="dm")
    assert sweep(weekly, "2026-11-25T09:01:00+08:00") == []
    assert sweep(weekly, "2026-11-26T09:01:00+08:00") == []
    status = weekly("olivia", "status")
    assert "cycle: 15 → 12 → 7 days" in status and "as of Mon 2026-11-23" in status
    assert "stale" not in status


def test_an_old_value_does_not_count_for_a_new_period(weekly: Chat) -> None:
    weekly.at("2026-11-20T10:00:00+08:00")
    weekly("max", "project kpi cycle record 13")  # Friday: belongs to the week before
    assert [r.kind for r in sweep(weekly, "2026-11-23T09:01:00+08:00")] == ["kpi_ask"]


def test_a_week_of_days_off_asks_once(team: Chat) -> None:
    team.at("2026-09-21T10:00:00+08:00")
    team("olivia", "project kpi cycle baseline 15 target 7 unit days")
    team("olivia", "project kpi cycle every week on thu owner @max")
    assert [r.dedupe_key.split("→")[0] for r in sweep(team, "2026-09-24T09:01:00+08:00")] == [
        "kpi-first:1:2026-W39"]
    team.at("2026-09-24T10:00:00+08:00")
    team("max", "project kpi cycle record 12")
    assert sweep(team, "2026-10-01T09:01:00+08:00") == []  # National Day
    assert summary(sweep(team, "2026-10-08T09:01:00+08:00")) == [
        ("kpi_ask", "max", "kpi-first:1:2026-W41")]
    team.at("2026-10-08T10:00:00+08:00")
    team("max", "project kpi cycle record 11")
    assert sweep(team, "2026-10-10T09:01:00+08:00") == []  # a 调休 Saturday: no W40 ask
    assert "stale" not in team("olivia", "status")


def test_month_cadence_moves_off_new_year(team: Chat) -> None:
    team("olivia", "project kpi cycle baseline 15 target 7 unit days")
    team("olivia", "project kpi cycle every month on 1 owner @max")
    december = sweep(team, "2026-12-01T09:01:00+08:00")
    assert summary(december) == [("kpi_ask", "max", "kpi-first:1:2026-12")]
    assert "please record its value for 2026/12 (due Tue 2026-12-01)" in december[0].payload
    team.at("2026-12-01T10:00:00+08:00")
    team("max", "project kpi cycle record 12")
    assert sweep(team, "2026-12-03T09:01:00+08:00") == []
    assert sweep(team, "2027-01-01T09:01:00+08:00") == []  # New Year's Day, a Friday
    assert summary(sweep(team, "2027-01-04T09:01:00+08:00")) == [
        ("kpi_ask", "max", "kpi-first:1:2027-01")]


def test_one_query_for_a_whole_group(weekly: Chat) -> None:
    """Set-based: the statements a sweep runs do not grow with the number of projects."""
    from sqlalchemy import event

    def count(chat: Chat, at: str) -> int:
        statements: list[str] = []
        engine = chat.runtime.engine

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            sweep(chat, at)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        return sum("kpi" in s.lower() for s in statements)

    one = count(weekly, "2026-11-23T09:01:00+08:00")
    for n in range(3):
        weekly("olivia", f'project create "Other {n}" key O{n}', channel=f"other{n}")
        weekly("olivia", f"project kpi k{n} baseline 1 target 2", channel=f"other{n}")
        weekly("olivia", f"project kpi k{n} every week owner @max", channel=f"other{n}")
    assert count(weekly, "2026-11-30T09:01:00+08:00") == one


def test_two_replicas_on_postgresql_ask_once(postgres_url: str) -> None:
    """Two processes' sweeps at the same morning, at once: the group's claim and the
    dedupe keys let one ask through."""
    from concurrent.futures import ThreadPoolExecutor

    from conftest import SETUP

    first, second = make_chat(postgres_url), make_chat(postgres_url)
    try:
        for user, line in SETUP:
            first(user, line)
        first("olivia", "project kpi cycle baseline 15 target 7 unit days")
        first("olivia", "project kpi cycle every week on mon owner @max")
        for chat in (first, second):
            chat.at("2026-11-23T09:01:00+08:00")
        envs = [JobEnv(c.runtime.engine, c.runtime.clock, c.runtime.settings)
                for c in (first, second)]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(kpi_sweep, envs))
        assert [r.kind for r in sweep(second, "2026-11-23T09:30:00+08:00")] == []
        with Session(first.runtime.engine) as db:
            rows = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "kpi_ask")).all()
        assert [r.dedupe_key.split("→")[0] for r in rows] == ["kpi-first:1:2026-W48"]
    finally:
        first.runtime.engine.dispose()
        second.runtime.engine.dispose()
