"""The meeting's scheduled work through real ticks: the agenda and the reminder once, at
the project's local time (the server runs on Berlin time, the project on Shanghai's),
carry-over across weeks, the self-closing meeting and the holiday move."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from support_scheduler import run_tick, runtime_at, say, sqlite_runtime

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def seed(runtime, calendar: str = "weekends") -> None:  # noqa: ANN001
    say(runtime, "ann", f"project create Ops key OPS tz Asia/Shanghai calendar {calendar}")
    say(runtime, "ann", "dept add Eng head @ann")
    say(runtime, "ann", "member add @bob dept Eng role lead")
    say(runtime, "ann", "member add @cid dept Eng")


def posts(sent: list[tuple[str, str]], marker: str) -> list[str]:
    return [text for target, text in sent if marker in text]


def test_agenda_and_reminder_post_once_at_the_projects_local_time(tmp_path) -> None:
    rt = sqlite_runtime(tmp_path, sh("2026-11-16T10:00"))
    assert rt.settings.timezone == "Europe/Berlin"  # the server's zone is not the project's
    seed(rt)
    say(rt, "ann", "meeting set thu 14:00")  # Thu 19 Nov 14:00 Shanghai = 07:00 Berlin
    say(rt, "cid", 'agenda add "Pilot scope" mins 20')
    assert posts(run_tick(rt, sh("2026-11-18T13:59")), "Agenda") == []
    sent = run_tick(rt, sh("2026-11-18T14:00"))  # 24 hours before
    (agenda,) = posts(sent, "📋 Agenda — OPS Ops")
    assert [t for t, text in sent if text == agenda] == ["#ops"]
    assert "Thu 2026-11-19 14:00 (Asia/Shanghai), 60 min" in agenda
    assert "T1 Pilot scope · cid · 20 min" in agenda
    assert run_tick(rt, sh("2026-11-18T14:05")) == []
    assert run_tick(rt, sh("2026-11-19T13:44")) == []
    sent = run_tick(rt, sh("2026-11-19T13:45"))  # 15 minutes before
    (reminder,) = posts(sent, "⏰")
    assert "starts in 15 minutes: Thu 2026-11-19 14:00" in reminder
    assert run_tick(rt, sh("2026-11-19T13:50")) == []
    rt.engine.dispose()


def test_a_restart_in_between_posts_nothing_twice(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tf.db'}"
    rt = runtime_at(url, sh("2026-11-16T10:00"))
    seed(rt)
    say(rt, "ann", "meeting set thu 14:00 tz Europe/London post-agenda 2h-before")
    # 14:00 London = 22:00 Shanghai: the agenda at 20:00 Shanghai
    assert posts(run_tick(rt, sh("2026-11-19T19:59")), "Agenda") == []
    assert len(posts(run_tick(rt, sh("2026-11-19T21:00")), "Agenda")) == 1  # late, still once
    rt.engine.dispose()
    again = runtime_at(url, sh("2026-11-19T21:01"))
    assert posts(run_tick(again, sh("2026-11-19T21:30")), "Agenda") == []
    assert len(posts(run_tick(again, sh("2026-11-19T21:45")), "⏰")) == 1
    again.engine.dispose()


def test_topics_carry_over_across_two_weeks(tmp_path) -> None:
    rt = sqlite_runtime(tmp_path, sh("2026-11-16T10:00"))
    seed(rt)
    say(rt, "ann", "meeting set mon 10:00")  # Mondays, 10:00 Shanghai
    say(rt, "cid", 'agenda add "Covered"')
    say(rt, "cid", 'agenda add "Left over"')
    run_tick(rt, sh("2026-11-23T09:00"))
    rt.clock.set(sh("2026-11-23T10:00"))
    say(rt, "bob", "meeting start")
    say(rt, "bob", "agenda done T1")
    say(rt, "bob", "meeting end")
    say(rt, "cid", 'agenda add "New in week two"')
    # week two: nobody starts it; it is recorded as not held an hour after its slot
    (agenda,) = posts(run_tick(rt, sh("2026-11-29T10:00")), "Agenda")
    assert "Mon 2026-11-30 10:00" in agenda
    assert "T2 Left over · cid · 10 min · carried over" in agenda
    assert run_tick(rt, sh("2026-11-30T11:59")) == []
    run_tick(rt, sh("2026-11-30T12:00"))
    (agenda,) = posts(run_tick(rt, sh("2026-12-06T10:00")), "Agenda")
    assert "Mon 2026-12-07 10:00" in agenda
    carried = agenda.split("Carried over from last time")[1]
    assert "T2 Left over" in carried and "T3 New in week two" in carried
    assert "T1" not in agenda
    rt.clock.set(sh("2026-12-06T10:00"))
    history = say(rt, "cid", "meeting history")
    assert "'state': 'not-held'" in history and "'state': 'ended'" in history
    rt.engine.dispose()


def test_a_meeting_nobody_ends_closes_itself_with_its_minutes(tmp_path) -> None:
    rt = sqlite_runtime(tmp_path, sh("2026-11-19T13:50"))
    seed(rt)
    say(rt, "ann", "meeting set thu 14:00 mins 30")
    rt.clock.set(sh("2026-11-19T14:01"))
    say(rt, "bob", "meeting start")
    say(rt, "cid", "here")
    say(rt, "cid", 'decision "Ship the pilot"')
    say(rt, "cid", 'agenda add "Not reached"')
    assert posts(run_tick(rt, sh("2026-11-19T15:30")), "Minutes") == []
    sent = run_tick(rt, sh("2026-11-19T15:31"))  # started 14:01 + 30 min + 1 hour
    (minutes,) = posts(sent, "📝 Minutes — OPS Ops, Thu 2026-11-19")
    assert "closed automatically" in minutes
    assert "Present (1): cid" in minutes and "Ship the pilot" in minutes
    assert "T1 Not reached" in minutes
    assert posts(run_tick(rt, sh("2026-11-19T16:00")), "Minutes") == []
    rt.clock.set(sh("2026-11-19T16:00"))
    assert "meeting.not_running" in repr(rt.dispatcher.handle(_line("bob", "meeting end")))
    rt.engine.dispose()


def test_a_holiday_week_moves_the_meeting_and_says_so(tmp_path) -> None:
    rt = sqlite_runtime(tmp_path, sh("2026-09-28T10:00"))
    seed(rt, calendar="cn")
    say(rt, "ann", "meeting set thu 10:00")  # Thu 1 Oct is National Day
    assert posts(run_tick(rt, sh("2026-09-30T10:00")), "Agenda") == []  # not for 1 Oct
    (agenda,) = posts(run_tick(rt, sh("2026-10-07T10:00")), "Agenda")
    assert "Thu 2026-10-08 10:00 (Asia/Shanghai)" in agenda
    assert "Moved: planned for Thu 2026-10-01" in agenda
    assert "held on Thu 2026-10-08 at the same time" in agenda
    (reminder,) = posts(run_tick(rt, sh("2026-10-08T09:45")), "⏰")
    assert "Moved: planned for Thu 2026-10-01" in reminder
    rt.engine.dispose()


def test_the_digest_mentions_the_next_meeting_and_new_decisions(tmp_path) -> None:
    rt = sqlite_runtime(tmp_path, sh("2026-11-16T10:00"))
    seed(rt)
    say(rt, "ann", "meeting set thu 14:00")
    rt.clock.set(sh("2026-11-16T10:05"))
    say(rt, "cid", 'decision "Use the new form"')
    (digest,) = posts(run_tick(rt, sh("2026-11-20T17:00")), "weekly progress")
    assert "Next meeting: Thu 2026-11-26 14:00 (Asia/Shanghai)" in digest
    assert "Decisions since the last digest (1)" in digest and "Use the new form" in digest
    rt.clock.set(sh("2026-11-23T10:00"))
    say(rt, "cid", 'decision "Second one"')
    (digest,) = posts(run_tick(rt, sh("2026-11-27T17:00")), "weekly progress")
    assert "Second one" in digest and "Use the new form" not in digest
    rt.engine.dispose()


def _line(user: str, text: str):  # noqa: ANN202
    from support_scheduler import inbound

    return inbound(user, text)
