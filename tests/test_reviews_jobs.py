"""Review reminders and overdue notices at 09:00, over the PRC calendar (2026).

Opened Wednesday 2026-09-30 `within 3wd`: National Day (10-01..10-07) lies between,
so the working days are 10-08, 10-09 and the 调休 Saturday 10-10: due at the end of
10-10, reminded on 10-09 and 10-10, late on Monday 10-12. Without the holiday it would
have been due Monday 10-05 and reminded on Friday 10-02.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from support_scheduler import rows, run_tick

from bot.reviews_view import late_recipients
from storage.models import Person


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture
def late(team):  # noqa: ANN001, ANN201
    team("olivia", "dept add Tech head @tom")
    team.at("2026-09-30T10:00:00+08:00")
    team("max", 'review "Launch plan v2" by dept Legal,Tech within 3wd')
    asks = run_tick(team.runtime, at("2026-09-30T10:00"))
    assert sorted(t for t, x in asks if "please review" in x) == ["@leo", "@tom"]
    return team


def review_notices(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(t, x) for t, x in sent if x.startswith(("🔔", "⏰"))]


def test_the_holiday_moves_the_due_date_and_both_reminders(late) -> None:  # noqa: ANN001
    assert "due Sat 2026-10-10" in late("max", "review show R1")
    for day in ("2026-10-01", "2026-10-02", "2026-10-05", "2026-10-08"):
        assert review_notices(run_tick(late.runtime, at(f"{day}T09:00"))) == [], day
    assert review_notices(run_tick(late.runtime, at("2026-10-09T08:59"))) == []
    before = review_notices(run_tick(late.runtime, at("2026-10-09T09:00")))
    assert sorted(t for t, _ in before) == ["@leo", "@tom"]
    assert all("is due Sat 2026-10-10" in x for _, x in before)
    assert review_notices(run_tick(late.runtime, at("2026-10-09T17:00"))) == []
    today = review_notices(run_tick(late.runtime, at("2026-10-10T09:00")))
    assert sorted(t for t, _ in today) == ["@leo", "@tom"]
    assert all("is due today" in x for _, x in today)


def test_only_the_late_department_is_notified_once(late) -> None:  # noqa: ANN001
    late.at("2026-10-10T15:00:00+08:00")
    late("leo", "approve R1", channel="dm")
    assert review_notices(run_tick(late.runtime, at("2026-10-11T09:00"))) == []  # Sunday
    sent = review_notices(run_tick(late.runtime, at("2026-10-12T09:00")))
    assert sorted(t for t, _ in sent) == ["@lena", "@olivia", "@tom"]
    assert all("Tech" in x and "Legal" not in x for _, x in sent)
    mine = next(x for t, x in sent if t == "@tom")
    assert "Your review of LA/R1 Launch plan v2 (Tech) is 1 working day late" in mine
    lead = next(x for t, x in sent if t == "@lena")
    assert "Tech (tom) is 1 working day late" in lead
    for when in ("2026-10-12T10:00", "2026-10-13T09:00", "2026-10-14T09:00"):
        assert review_notices(run_tick(late.runtime, at(when))) == []
    assert len(rows(late.runtime, kind="review_overdue")) == 3


def test_a_week_of_downtime_sends_each_notice_once(late) -> None:  # noqa: ANN001
    sent = run_tick(late.runtime, at("2026-10-16T11:00"))
    assert review_notices(sent) == []  # reminders are never sent late
    # one notice per late slot, for the ladder level reached now (5 working days: dept-head;
    # both reviewers are their department's head, so the process owner hears of it)
    assert sorted(t for t, _ in sent) == ["@leo", "@olivia", "@olivia", "@tom"]
    assert all(x.startswith("🔺") and "5 working days late" in x for _, x in sent)
    assert run_tick(late.runtime, at("2026-10-19T09:00")) == []


def test_decided_and_closed_reviews_are_left_alone(late) -> None:  # noqa: ANN001
    late("leo", "approve R1", channel="dm")
    late("max", 'review cancel R1 "superseded"')
    for when in ("2026-10-09T09:00", "2026-10-10T09:00", "2026-10-12T09:00"):
        assert review_notices(run_tick(late.runtime, at(when))) == []


def test_who_is_told_of_a_late_slot() -> None:
    tom, lena, olivia = (Person(id=i, platform="console", user_id=n, display_name=n,
                                name_key=n) for i, n in ((1, "tom"), (2, "lena"), (3, "olivia")))
    assert late_recipients([tom], [lena, olivia], 0) == []
    told = late_recipients([tom], [tom, lena, olivia], 2)
    assert [(p.user_id, role) for p, role in told] == [
        ("tom", "reviewer"), ("lena", "lead"), ("olivia", "lead")
    ]
