"""Overdue alerts and reminders by DESIGN.md's time rules, with the clock pinned."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_scheduler import at, rows, run_tick, say, seed_project, sqlite_runtime

from bot.runtime import Runtime

# 2026-11-18 is a Wednesday; the project calendar is Mon–Fri (weekends).


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = sqlite_runtime(tmp_path, at("2026-11-16T10:00"))
    seed_project(runtime)
    say(runtime, "ann", 'action add "Draw the map" owner @cid due 2026-11-18')
    assert [t for t, x in run_tick(runtime, at("2026-11-16T10:00"))] == ["@cid"]  # assigned
    return runtime


def overdue(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(target, text) for target, text in sent if text.startswith("⏰")]


def reminders(sent: list[tuple[str, str]], title: str) -> list[str]:
    return [target for target, text in sent if text.startswith("🔔") and title in text]


def test_alert_once_at_nine_on_the_first_working_day_after(rt: Runtime) -> None:
    assert overdue(run_tick(rt, at("2026-11-18T23:59"))) == []  # due date not over yet
    assert overdue(run_tick(rt, at("2026-11-19T08:59"))) == []  # overdue, but before 09:00
    sent = overdue(run_tick(rt, at("2026-11-19T09:00")))
    assert sorted(target for target, _ in sent) == ["#ops", "@cid"]
    post = dict(sent)["#ops"]
    assert "A1 Draw the map · cid" in post and "1 working day late" in post
    for when in ("2026-11-19T09:05", "2026-11-19T17:00", "2026-11-20T09:00", "2026-11-23T09:00"):
        assert overdue(run_tick(rt, at(when))) == []
    assert len(rows(rt, kind="overdue_post")) == 1
    assert len(rows(rt, kind="overdue_dm")) == 1


def test_due_friday_alerts_monday_not_on_the_weekend(rt: Runtime) -> None:
    say(rt, "cid", 'action add "Friday thing" owner @cid due 2026-11-20')
    run_tick(rt, at("2026-11-19T09:00"))  # A1's alert
    for when in ("2026-11-21T09:00", "2026-11-22T12:00", "2026-11-23T08:30"):
        assert overdue(run_tick(rt, at(when))) == []
    sent = overdue(run_tick(rt, at("2026-11-23T09:00")))
    assert len(sent) == 2 and all("A2" in text for _, text in sent)


def test_downtime_catches_up_each_alert_once(rt: Runtime) -> None:
    say(rt, "cid", 'action add "Second" owner @bob due 2026-11-19')
    sent = overdue(run_tick(rt, at("2026-11-25T11:00")))  # down for a week
    assert sorted(t for t, _ in sent) == ["#ops", "@bob", "@cid"]  # one post lists both
    assert "A1 Draw the map" in dict(sent)["#ops"] and "A2 Second" in dict(sent)["#ops"]
    assert overdue(run_tick(rt, at("2026-11-26T09:00"))) == []


def test_done_items_get_no_alert_and_reminders_follow_the_calendar(rt: Runtime) -> None:
    say(rt, "bob", 'action add "Done early" owner @bob due 2026-11-18')
    say(rt, "bob", "done A2")
    before = run_tick(rt, at("2026-11-17T09:00"))  # the working day before Wed
    assert [(t, "Reminder" in x and "A1" in x) for t, x in before] == [("@cid", True)]
    today = run_tick(rt, at("2026-11-18T09:00"))
    assert [(t, "due today" in x and "A1" in x) for t, x in today] == [("@cid", True)]
    sent = run_tick(rt, at("2026-11-19T09:00"))
    assert all("A2" not in text for _, text in overdue(sent)) and len(overdue(sent)) == 2


def test_reminder_for_a_monday_due_date_comes_on_friday(rt: Runtime) -> None:
    say(rt, "bob", 'action add "Monday thing" owner @bob due 2026-11-23')
    run_tick(rt, at("2026-11-19T09:00"))
    sent = run_tick(rt, at("2026-11-20T09:00"))
    assert reminders(sent, "Monday thing") == ["@bob"]
    assert reminders(run_tick(rt, at("2026-11-22T09:00")), "Monday thing") == []
    today = run_tick(rt, at("2026-11-23T09:00"))
    assert [t for t, x in today if "Monday thing is due today" in x] == ["@bob"]


def test_quiet_hours_hold_dms_until_they_end(rt: Runtime) -> None:
    say(rt, "cid", "quiet 08:00-10:30", channel="dm")
    sent = run_tick(rt, at("2026-11-19T09:00"))
    assert [t for t, _ in sent] == ["#ops"]  # the channel post goes; the DM waits
    assert run_tick(rt, at("2026-11-19T10:29")) == []
    later = run_tick(rt, at("2026-11-19T10:30"))
    assert [t for t, _ in later] == ["@cid"]
    say(rt, "cid", "quiet off", channel="dm")


def test_a_commands_dm_to_someone_named_in_it_waits_for_their_quiet_hours(rt: Runtime) -> None:
    say(rt, "cid", "quiet 08:00-10:30", channel="dm")
    rt.clock.set(at("2026-11-17T09:00"))
    say(rt, "ann", 'action add "Quietly" owner @cid due 2026-11-20')  # @cid: read by the command
    say(rt, "ann", 'action add "Loudly" owner @bob due 2026-11-20')
    now = [t for t, x in run_tick(rt, at("2026-11-17T09:00")) if "Loudly" in x or "Quietly" in x]
    later = [t for t, x in run_tick(rt, at("2026-11-17T10:30")) if "Quietly" in x]
    assert (now, later) == (["@bob"], ["@cid"])


def test_event_notices_reach_the_people_concerned(rt: Runtime) -> None:
    assigned = rows(rt, kind="notice_assigned")
    assert [(r.user_id, r.state) for r in assigned] == [("cid", "sent")]
    say(rt, "ann", "action reassign A1 @bob")
    say(rt, "bob", 'action block A1 "waiting for legal"')
    say(rt, "ann", "action due A1 2026-11-25")
    say(rt, "bob", "done A1")
    sent = run_tick(rt, at("2026-11-16T10:02"))
    assert sent[0][0] == "@bob" and "gave you" in sent[0][1]  # reassigned: the new owner
    assert sent[1][0] == "@cid" and "no longer yours" in sent[1][1]  # … and the previous one
    blocked = [t for t, x in sent if "waiting for legal" in x]
    assert blocked == ["@ann"]  # leads and process owner, not bob who blocked it
    moved = sorted(t for t, x in sent if "moved" in x)
    assert moved == ["@bob"]  # owner and leads; ann made the change herself
    assert len(sent) == 4  # `done` waits for the digest


def test_a_moved_due_date_reaches_the_owner_the_leads_and_the_process_owner(rt: Runtime) -> None:
    say(rt, "bob", "action due A1 2026-11-25")  # bob (a lead) moves cid's item
    moved = sorted(t for t, x in run_tick(rt, at("2026-11-16T10:02")) if "moved" in x)
    assert moved == ["@ann", "@cid"]  # ann is the process owner; bob made the change


def test_a_first_morning_ever_alerts_its_own_period_only(tmp_path: Path) -> None:
    """No morning recorded yet (a new install): old history is not alerted all at once."""
    runtime = sqlite_runtime(tmp_path, at("2026-11-02T10:00"))
    seed_project(runtime)
    say(runtime, "ann", 'action add "Long overdue" owner @cid due 2026-11-03')
    say(runtime, "ann", 'action add "Due Tuesday" owner @cid due 2026-11-17')
    say(runtime, "ann", 'action add "Due today" owner @bob due 2026-11-18')
    say(runtime, "ann", 'action add "Due tomorrow" owner @bob due 2026-11-19')
    sent = run_tick(runtime, at("2026-11-18T09:30"))  # the first tick ever, Wednesday
    assert sorted(t for t, x in overdue(sent)) == ["#ops", "@cid"]
    assert all("Due Tuesday" in x for _, x in overdue(sent))  # Wednesday's alerts only
    assert reminders(sent, "Due today") == ["@bob"] and reminders(sent, "Due tomorrow") == ["@bob"]
    thursday = overdue(run_tick(runtime, at("2026-11-19T09:00")))
    assert len(thursday) == 2 and all("Due today" in x for _, x in thursday)
    friday = overdue(run_tick(runtime, at("2026-11-20T09:00")))
    assert len(friday) == 2 and all("Due tomorrow" in x for _, x in friday)
    posts = str([r.payload for r in rows(runtime, kind="overdue_post")])
    assert "Long overdue" not in posts and "2 more still overdue from before" in posts


def test_a_first_morning_on_a_weekend_alerts_the_last_working_morning(tmp_path: Path) -> None:
    runtime = sqlite_runtime(tmp_path, at("2026-11-02T10:00"))
    seed_project(runtime)
    say(runtime, "ann", 'action add "Due Wednesday" owner @cid due 2026-11-18')
    say(runtime, "ann", 'action add "Due Thursday" owner @cid due 2026-11-19')
    sent = overdue(run_tick(runtime, at("2026-11-21T10:00")))  # first tick ever, Saturday
    assert len(sent) == 2 and all("Due Thursday" in x for _, x in sent)  # Friday's alerts
    assert overdue(run_tick(runtime, at("2026-11-23T09:00"))) == []


def test_an_item_reopened_after_its_alert_morning_is_alerted_once(rt: Runtime) -> None:
    rt.clock.set(at("2026-11-18T16:00"))
    say(rt, "cid", "done A1")  # done on its due date: no alert on Thursday
    assert overdue(run_tick(rt, at("2026-11-19T09:00"))) == []
    assert overdue(run_tick(rt, at("2026-11-20T09:00"))) == []  # Friday's sweep has run
    rt.clock.set(at("2026-11-20T11:00"))
    say(rt, "cid", "action reopen A1")  # overdue again, and never alerted
    sent = overdue(run_tick(rt, at("2026-11-20T11:01")))
    assert [target for target, _ in sent] == ["@cid"]  # the DM now; no second post today
    say(rt, "cid", "done A1")
    say(rt, "cid", "action reopen A1")  # the alert for this due date went out already
    assert overdue(run_tick(rt, at("2026-11-20T11:05"))) == []
    monday = overdue(run_tick(rt, at("2026-11-23T09:00")))  # listed in the next post
    assert [t for t, _ in monday] == ["#ops"] and "A1 Draw the map" in monday[0][1]
    assert overdue(run_tick(rt, at("2026-11-24T09:00"))) == []


def test_reopening_before_the_alert_morning_leaves_it_to_the_sweep(rt: Runtime) -> None:
    rt.clock.set(at("2026-11-17T10:00"))
    say(rt, "cid", "done A1")
    say(rt, "cid", "action reopen A1")
    assert overdue(run_tick(rt, at("2026-11-17T10:01"))) == []
    assert len(overdue(run_tick(rt, at("2026-11-19T09:00")))) == 2
