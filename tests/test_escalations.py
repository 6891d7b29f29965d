"""The escalation ladder on real PRC dates (chinesecalendar 2026), with the clock pinned.

2026: Mid-Autumn Fri 09-25 is a holiday; National Day Thu 10-01 … Wed 10-07 is off,
Sat 10-10 is a 调休 working day. An item due Wed 09-30 is 1 working day overdue on
Thu 10-08, 2 on Fri 10-09, 3 on Sat 10-10 and 4 on Mon 10-12.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from support_scheduler import inbound, run_tick

from bot.runtime import Runtime, build
from bot.settings import Settings
from storage.engine import transaction
from storage.escalations import Escalation
from storage.models import Department

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def say(rt: Runtime, user: str, text: str, channel: str = "ops") -> str:
    """A command; its replies as console text (errors included)."""
    from bot.render import renderer_for

    rt.clock.set(rt.clock.now())
    replies = rt.dispatcher.handle(inbound(user, text, channel))
    return "\n".join(renderer_for("console").reply(r) for r in replies)


def make(tmp_path: Path, calendar: str = "cn", when: str = "2026-09-21T10:00") -> Runtime:
    tmp_path.mkdir(parents=True, exist_ok=True)
    rt = build(Settings(database_url=f"sqlite:///{tmp_path / 'tf.db'}", now=at(when),
                        timezone="Asia/Shanghai", locale="en"))
    for line in (
        f"project create Ops key OPS calendar {calendar}",
        "dept add Eng head @hd",
        "member add @bob dept Eng role lead",
        "member add @cid dept Eng",
        "member add @ann dept Eng",
    ):
        assert "⚠" not in say(rt, "ann", line), line
    return rt


def escalated(sent: list[tuple[str, str]]) -> list[str]:
    """Who got a ladder message (🔺 DMs, ⌛ lapses, 🔁 reminders, ⏰ second owner DMs)."""
    marks = ("🔺", "⌛", "🔁", "⏰ Still")
    return sorted(t for t, x in sent if t.startswith("@") and x.startswith(marks))


def ticks(rt: Runtime, *whens: str) -> dict[str, list[tuple[str, str]]]:
    return {w: run_tick(rt, at(w)) for w in whens}


def records(rt: Runtime) -> list[Escalation]:
    with transaction(rt.engine) as db:
        return list(db.exec(select(Escalation).order_by(Escalation.id)).all())


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    runtime = make(tmp_path)
    say(runtime, "ann", 'action add "Ship the form" owner @cid due 2026-09-30')
    run_tick(runtime, at("2026-09-21T10:00"))  # the ladder's first morning: policies start
    return runtime


def test_default_ladder_over_national_day_and_the_working_saturday(rt: Runtime) -> None:
    mornings = ticks(rt, *(f"2026-10-{d:02d}T09:00" for d in range(1, 13)))
    for day in range(1, 8):  # the holiday: nothing climbs
        assert escalated(mornings[f"2026-10-{day:02d}T09:00"]) == []
    first = mornings["2026-10-08T09:00"]
    assert sorted(t for t, x in first if "Ship the form" in x) == ["#ops", "@cid"]
    assert escalated(first) == []  # day 1 `owner` is the overdue alert itself, not a second DM
    lead = mornings["2026-10-09T09:00"]
    assert escalated(lead) == ["@ann", "@bob"]
    posts = [x for t, x in lead if t == "#ops" and x.startswith("🔺")]
    assert len(posts) == 1 and "OPS/E1 A1 Ship the form" in posts[0]
    assert escalated(mornings["2026-10-10T09:00"]) == []  # day 3: no level
    assert escalated(mornings["2026-10-12T09:00"]) == ["@hd"]  # day 4 (Sat 10-10 counted)
    (record,) = records(rt)
    assert (record.seq, record.level, record.level_days) == (1, "dept-head", 4)
    again = ticks(rt, "2026-10-12T09:30", "2026-10-13T09:00")
    assert all(escalated(sent) == [] for sent in again.values())


def test_the_digest_lists_open_escalations_with_age_and_level(rt: Runtime) -> None:
    ticks(rt, "2026-10-08T09:00", "2026-10-09T09:00")
    digest = [x for t, x in run_tick(rt, at("2026-10-09T17:00")) if x.startswith("📊")]
    assert "Escalations (1):\n  E1 · the leads · open · 0 working days" in digest[0]
    ticks(rt, "2026-10-12T09:00")
    rt.clock.set(at("2026-10-12T10:00"))
    assert "E1 · the department head · open · 2 working days" in say(rt, "ann", "digest now")


def test_the_working_saturday_counts_under_cn_and_not_under_weekends(tmp_path: Path) -> None:
    for calendar, lead_day in (("cn", "2026-10-10T09:00"), ("weekends", "2026-10-05T09:00")):
        rt = make(tmp_path / calendar, calendar)
        say(rt, "ann", "policy overdue 1:owner 3:lead")
        say(rt, "ann", 'action add "Ship the form" owner @cid due 2026-09-30')
        run_tick(rt, at("2026-09-21T10:00"))
        fired = [w for w, sent in ticks(rt, *(f"2026-10-{d:02d}T09:00" for d in range(1, 13))
                                      ).items() if escalated(sent)]
        assert fired == [lead_day], calendar


def test_a_later_owner_level_is_a_second_dm_to_the_owner(rt: Runtime) -> None:
    assert "1:owner 2:owner 3:lead" in say(rt, "bob", "policy overdue 1:owner 2:owner 3:lead")
    assert escalated(run_tick(rt, at("2026-10-08T09:00"))) == []
    second = run_tick(rt, at("2026-10-09T09:00"))
    assert escalated(second) == ["@cid"] and records(rt) == []  # no E-id for `owner`
    assert "Still overdue: your item OPS A1" in dict(second)["@cid"]
    assert escalated(run_tick(rt, at("2026-10-10T09:00"))) == ["@ann", "@bob"]
    assert records(rt)[0].seq == 1


def test_downtime_across_two_levels_sends_one_notice(rt: Runtime) -> None:
    ticks(rt, "2026-10-08T09:00")
    sent = run_tick(rt, at("2026-10-12T11:00"))  # down from Thursday to Monday
    assert escalated(sent) == ["@hd"]
    assert not [x for t, x in sent if t == "#ops" and x.startswith("🔺")]  # no lead line late
    (record,) = records(rt)
    assert record.level == "dept-head"


def test_dept_head_fallbacks_say_why(tmp_path: Path) -> None:
    rt = make(tmp_path)
    say(rt, "ann", "member add @hd dept Eng")
    say(rt, "ann", 'action add "Head item" owner @hd due 2026-09-30')
    say(rt, "ann", "dept add Ops head @zed")
    say(rt, "ann", "member add @oli dept Ops")
    say(rt, "ann", 'action add "Headless" owner @oli due 2026-09-30')
    with transaction(rt.engine) as db:
        dept = db.exec(select(Department).where(Department.name == "Ops")).one()
        dept.head_id = None
        db.add(dept)
    run_tick(rt, at("2026-09-21T10:00"))
    sent = run_tick(rt, at("2026-10-12T09:00"))
    dms = {(t, x.split(":")[0]): x for t, x in sent if x.startswith("🔺")}
    assert sorted(dms) == [("@ann", "🔺 OPS/E1"), ("@ann", "🔺 OPS/E2")]
    assert "the item's owner is the department head" in dms[("@ann", "🔺 OPS/E1")]
    assert "the department has no head" in dms[("@ann", "🔺 OPS/E2")]


def test_ack_stops_the_climb_and_a_lapsed_eta_climbs(rt: Runtime) -> None:
    ticks(rt, "2026-10-08T09:00", "2026-10-09T09:00")
    rt.clock.set(at("2026-10-09T10:00"))
    assert "acknowledged E1" in say(rt, "bob", "escalation ack E1 eta 2026-10-13")
    quiet = ticks(rt, "2026-10-10T09:00", "2026-10-12T09:00", "2026-10-13T09:00")
    assert all(escalated(sent) == [] for sent in quiet.values())  # day 4 waits for the ETA
    lapsed = run_tick(rt, at("2026-10-14T09:00"))
    assert escalated(lapsed) == ["@hd"]
    assert "the ETA Tue 2026-10-13 has passed" in dict(lapsed)["@hd"]
    # the department head is no member: acknowledges by bare id in a DM
    rt.clock.set(at("2026-10-14T10:00"))
    assert "hd acknowledged E1" in say(rt, "hd", "escalation ack E1 eta 2026-10-15", "dm")
    top = run_tick(rt, at("2026-10-16T09:00"))
    assert escalated(top) == ["@ann", "@hd"]  # at the top: the head and the process owner
    assert records(rt)[0].state == "open"


def test_renotify_only_in_working_hours_and_never_in_quiet_hours(rt: Runtime) -> None:
    say(rt, "ann", "policy renotify 2h")
    say(rt, "bob", "quiet 12:30-13:30")
    ticks(rt, "2026-10-08T09:00", "2026-10-09T09:00")
    hours = [f"2026-10-09T{h:02d}:00" for h in range(10, 24)] + [
        f"2026-10-10T{h:02d}:00" for h in range(0, 12)]
    sent = ticks(rt, *hours)
    fired = {w: escalated(s) for w, s in sent.items() if escalated(s)}
    assert fired == {
        "2026-10-09T11:00": ["@ann", "@bob"],
        "2026-10-09T13:00": ["@ann"],  # bob's quiet hours: dropped, not held
        "2026-10-09T15:00": ["@ann", "@bob"],
        "2026-10-09T17:00": ["@ann", "@bob"],
        "2026-10-10T10:00": ["@ann", "@bob"],  # 1 h Friday evening + 1 h Saturday (调休)
    }
    assert all(x.startswith("🔁") for w in fired for t, x in sent[w] if t in ("@ann", "@bob"))


def test_done_resolves_and_nothing_more_is_sent(rt: Runtime) -> None:
    ticks(rt, "2026-10-08T09:00", "2026-10-09T09:00")
    say(rt, "cid", "done A1")
    assert records(rt)[0].state == "resolved" and records(rt)[0].resolution == "done"
    assert escalated(run_tick(rt, at("2026-10-12T09:00"))) == []
    assert "the item is done" in say(rt, "ann", "escalation show E1")


def test_due_moved_resolves_and_the_new_date_starts_a_new_ladder(rt: Runtime) -> None:
    ticks(rt, "2026-10-08T09:00", "2026-10-09T09:00")
    rt.clock.set(at("2026-10-09T11:00"))
    say(rt, "bob", "action due A1 2026-10-13")
    (old,) = records(rt)
    assert (old.state, old.resolution) == ("resolved", "due-moved")
    moved = [x for t, x in run_tick(rt, at("2026-10-09T11:01")) if t == "@ann"]
    assert len(moved) == 1 and "It was escalated (E1): that ladder is closed" in moved[0]
    sent = ticks(rt, "2026-10-12T09:00", "2026-10-14T09:00", "2026-10-15T09:00")
    assert escalated(sent["2026-10-12T09:00"]) == []
    assert sorted(t for t, x in sent["2026-10-14T09:00"] if x.startswith("⏰")) == ["#ops", "@cid"]
    assert escalated(sent["2026-10-15T09:00"]) == ["@ann", "@bob"]
    assert [r.seq for r in records(rt)] == [1, 2]


def test_reopen_resolves_the_open_record(rt: Runtime) -> None:
    say(rt, "ann", 'escalate A1 "waiting for legal"')
    say(rt, "cid", "cancel A1")
    say(rt, "cid", "reopen A1")
    assert records(rt)[0].resolution == "cancelled"
    say(rt, "ann", 'escalate A1 "still waiting"')
    say(rt, "cid", "done A1")
    say(rt, "cid", "reopen A1")
    assert [r.resolution for r in records(rt)] == ["cancelled", "done"]


def test_items_already_overdue_start_counting_on_the_first_run(tmp_path: Path) -> None:
    rt = make(tmp_path, when="2026-09-14T10:00")
    say(rt, "ann", 'action add "Old thing" owner @cid due 2026-09-16')
    # the ladder first runs a month later (first deployment): no flood of department heads
    sent = ticks(rt, "2026-10-12T09:00", "2026-10-13T09:00", "2026-10-14T09:00",
                 "2026-10-15T09:00")
    assert [escalated(s) for s in sent.values()] == [[], ["@ann", "@bob"], [], ["@hd"]]
