"""The ladder across the holidays the calendar fixes: Spring Festival 2026 (chinesecalendar)
and New Year's Day 2027 (the `holidays` package, a provisional year), and an override."""

from __future__ import annotations

from pathlib import Path

from test_escalations import escalated, make, records, say, ticks

from bot.workdays import reset_overrides


def alerts(sent: list[tuple[str, str]], title: str) -> list[str]:
    """Who got the overdue alert of `title` (the channel's grouped post, the owner's DM)."""
    return sorted(t for t, x in sent if x.startswith("⏰") and title in x)


def ladder_only(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the morning sent apart from a catch-up digest."""
    return [(t, x) for t, x in sent if not x.startswith("📊")]


def test_an_item_due_before_spring_festival_2026_climbs_after_it(tmp_path: Path) -> None:
    # Spring Festival 2026: Sun 02-15 … Mon 02-23 off; Sat 02-14 and Sat 02-28 are 调休 workdays
    rt = make(tmp_path, when="2026-02-09T10:00")
    say(rt, "ann", 'action add "Print the forms" owner @cid due 2026-02-13')
    ticks(rt, "2026-02-09T10:00")  # the ladder's first morning
    mornings = ticks(rt, *(f"2026-02-{d:02d}T09:00" for d in range(14, 27)))
    alert = mornings["2026-02-14T09:00"]  # the 调休 Saturday is working day 1
    assert alerts(alert, "Print the forms") == ["#ops", "@cid"]
    for day in range(15, 24):  # the holiday itself: nothing climbs
        assert escalated(mornings[f"2026-02-{day:02d}T09:00"]) == []
    assert escalated(mornings["2026-02-24T09:00"]) == ["@ann", "@bob"]  # day 2: lead
    assert escalated(mornings["2026-02-26T09:00"]) == ["@hd"]  # day 4: department head


def test_an_item_overdue_into_2027_climbs_on_2027_working_days(tmp_path: Path) -> None:
    rt = make(tmp_path, when="2026-12-28T10:00")
    say(rt, "ann", 'action add "Close the year" owner @cid due 2026-12-31')
    ticks(rt, "2026-12-28T10:00")
    mornings = ticks(rt, "2027-01-01T09:00", "2027-01-04T09:00", "2027-01-05T09:00",
                     "2027-01-06T09:00", "2027-01-07T09:00")
    assert ladder_only(mornings["2027-01-01T09:00"]) == []  # New Year's Day 2027: a holiday
    assert alerts(mornings["2027-01-04T09:00"], "Close the year") == ["#ops", "@cid"]
    assert escalated(mornings["2027-01-05T09:00"]) == ["@ann", "@bob"]
    assert escalated(mornings["2027-01-07T09:00"]) == ["@hd"]
    assert [r.level for r in records(rt)] == ["dept-head"]


def test_an_override_moves_the_climb(tmp_path: Path) -> None:
    reset_overrides()
    try:
        rt = make(tmp_path, when="2026-12-28T10:00")
        say(rt, "ann", 'action add "Close the year" owner @cid due 2026-12-31')
        ticks(rt, "2026-12-28T10:00")
        say(rt, "bob", 'calendar holiday 2027-01-04..2027-01-05 "company days off"')
        mornings = ticks(rt, "2027-01-04T09:00", "2027-01-05T09:00", "2027-01-06T09:00",
                         "2027-01-07T09:00")
        assert ladder_only(mornings["2027-01-04T09:00"]) == []
        assert ladder_only(mornings["2027-01-05T09:00"]) == []
        assert alerts(mornings["2027-01-06T09:00"], "Close the year") == ["#ops", "@cid"]
        assert escalated(mornings["2027-01-07T09:00"]) == ["@ann", "@bob"]
    finally:
        reset_overrides()
