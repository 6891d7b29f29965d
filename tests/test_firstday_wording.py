"""Words and numbers: plurals, slips, one lateness unit, confirmations, hints."""

from __future__ import annotations

from datetime import date

from support_scheduler import rows

from bot import catalog
from bot.render import Renderer


def test_one_working_day_is_singular() -> None:
    assert catalog.text("en", "item_text.late", days=1) == "1 working day late"
    assert catalog.text("en", "item_text.late", days=3) == "3 working days late"
    assert "1 working day late" in catalog.text(
        "en", "alert.overdue", id="A1", title="t", owner="o", due="d", days=1
    )


def test_moving_a_due_date_earlier_is_not_a_slip(team) -> None:
    team("max", "add Plan @max 2026-11-27")
    earlier = team("olivia", "action due A1 fri")
    assert "earlier" in earlier and "slip" in earlier and "(slip" not in earlier
    assert "moved" not in team("olivia", "action show A1").split("\n")[1]
    later = team("olivia", "action due A1 2026-12-02")
    assert "(slip 1)" in later


def test_lateness_is_in_working_days_in_lists(team) -> None:
    team("max", "add Plan @max fri")
    team.at("2026-11-23T10:00:00+08:00")  # Monday after a Friday due date
    assert "1 working day late" in team("max", "action list overdue")


def test_digest_set_names_the_weekday(team) -> None:
    assert "on Thursday at 16:00" in team("olivia", "digest set weekly thu 16:00")


def test_an_already_blocked_item_is_not_told_to_send_action_block() -> None:
    hint = catalog.text("en", "alert.overdue_hint", id="A1")
    for platform in ("console", "dingtalk"):
        for status, shown in (("blocked", False), ("open", True)):
            item = {"id": "A1", "title": "Plan", "due": date(2026, 11, 20), "status": status}
            data = {"item": item, "project": "LA", "working_days": 2}
            text = Renderer(platform).render("overdue_dm", data, "en")
            assert (hint in text) is shown, (platform, status)


def test_the_owner_hears_when_someone_else_blocks_or_unblocks(team) -> None:
    team("max", "add Plan @max fri")
    team("lena", "action block A1 waiting for legal")
    team("lena", "action start A1")
    kinds = [r.kind for r in rows(team.runtime) if r.user_id == "max"]
    assert "notice_blocked" in kinds and "notice_unblocked" in kinds


def test_kpi_values_may_carry_their_unit_and_baseline_must_differ(team) -> None:
    team("olivia", "project kpi cycle baseline 15 target 7 unit 天")
    assert "43" in team("olivia", "project kpi cycle record 43天")
    assert "12" in team("olivia", "project kpi cycle record 12 days")
    assert "unit" in team("olivia", "project kpi cycle record 12 kg")
    assert "must differ" in team("olivia", "project kpi speed baseline 5 target 5")


def test_the_digest_lists_an_item_under_one_heading(team) -> None:
    team("max", "add Plan @max fri")
    team("max", "action block A1 waiting")
    team.at("2026-11-24T10:00:00+08:00")
    digest = team("olivia", "digest now")
    assert digest.count("A1 Plan") == 1


def test_the_closest_command_follows_the_verb_typed(team) -> None:
    assert "member list" in team("olivia", "member lst")
    assert "Usage: action list" in team("olivia", "action lst")


def test_a_leading_mention_of_the_bot_is_ignored(team) -> None:
    assert "No open items" in team("olivia", "@Taskforce action list")
    assert "No open items" in team("olivia", "@Taskforce 待办 列表")
