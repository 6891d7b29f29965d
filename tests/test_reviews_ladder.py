"""Late review slots climb the project's escalation ladder (PRC calendar, 2026).

Opened Wednesday 2026-09-30 `within 3wd` for Legal (leo) and Tech (tom, a head who is
no member of the project): National Day moves the due date to the 调休 Saturday 10-10.
Working days late: Mon 10-12 = 1 (`owner`), 10-13 = 2 (`lead`), 10-15 = 4 (`dept-head`).
Leo approves in time; Tech's slot is late.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select
from support_scheduler import rows, run_tick

from storage.escalations import Escalation


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture
def late(team):  # noqa: ANN001, ANN201
    team("olivia", "dept add Tech head @tom")
    team.at("2026-09-30T10:00:00+08:00")
    team("max", 'review "Launch plan v2" by dept Legal,Tech within 3wd')
    run_tick(team.runtime, at("2026-09-30T10:00"))
    team.at("2026-10-10T15:00:00+08:00")
    team("leo", "approve R1", channel="dm")
    run_tick(team.runtime, at("2026-10-10T15:00"))
    return team


def records(chat) -> list[Escalation]:  # noqa: ANN001
    with Session(chat.runtime.engine) as db:
        return list(db.exec(select(Escalation).order_by(Escalation.id)).all())


def climbing(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(t, x) for t, x in sent if x.startswith("🔺")]


def test_the_late_slot_climbs_and_its_approval_resolves_it(late) -> None:  # noqa: ANN001
    day1 = run_tick(late.runtime, at("2026-10-12T09:00"))
    assert sorted(t for t, _ in day1) == ["@lena", "@olivia", "@tom"]  # the overdue notice
    assert all(x.startswith("⏰") and "Tech" in x and "Legal" not in x for _, x in day1)
    assert records(late) == []
    assert run_tick(late.runtime, at("2026-10-12T15:00")) == []  # once

    day2 = run_tick(late.runtime, at("2026-10-13T09:00"))
    (record,) = records(late)
    assert (record.subject_kind, record.level, record.item_id) == ("review-slot", "lead", None)
    assert record.ladder_key == f"slot:{record.subject_id}:1:2026-10-10"
    dms = climbing([(t, x) for t, x in day2 if t.startswith("@")])
    assert sorted(t for t, _ in dms) == ["@lena", "@olivia", "@tom"]
    lena = next(x for t, x in dms if t == "@lena")
    assert "LA/E1: R1 Launch plan v2 — Tech's review, 2 working days late" in lena
    assert "escalated to the leads" in lena and "Reviewer: tom" in lena
    posts = [x for t, x in day2 if not t.startswith("@")]
    assert len(posts) == 1 and "Escalated to the leads this morning (1)" in posts[0]
    assert "LA/E1 R1 Launch plan v2 — Tech's review · tom · 2 working days late" in posts[0]
    assert "Legal" not in "".join(x for _, x in day2)  # the on-time department

    assert climbing(run_tick(late.runtime, at("2026-10-14T09:00"))) == []  # day 3: no level
    day4 = climbing(run_tick(late.runtime, at("2026-10-15T09:00")))
    olivia = next(x for t, x in day4 if t == "@olivia")
    assert "escalated to the department head" in olivia
    assert "because the reviewer is the department head" in olivia
    assert sorted(t for t, _ in day4) == ["@olivia", "@tom"]
    assert records(late)[0].level == "dept-head"

    listing = late("lena", "escalation list")
    assert "E1 · the department head · open" in listing
    assert "R1 Launch plan v2 — Tech's review (tom)" in listing
    shown = late("lena", "escalation show E1")
    assert "Tech's review" in shown and "(the reviewer is the department head)" in shown
    digest = late("lena", "digest now")
    assert "E1 · the department head · open" in digest
    assert "R1 Launch plan v2 — Tech's review (tom) · overdue since Sat 2026-10-10" in digest

    late.at("2026-10-15T11:00:00+08:00")
    late("tom", "approve R1", channel="dm")
    (record,) = records(late)
    assert (record.state, record.resolution) == ("resolved", "approved")
    assert "resolution: the slot was approved" in late("lena", "escalation list all")
    assert climbing(run_tick(late.runtime, at("2026-10-16T09:00"))) == []
    assert len(records(late)) == 1  # Legal never had one


def test_downtime_across_two_levels_sends_one_notice(late) -> None:  # noqa: ANN001
    sent = run_tick(late.runtime, at("2026-10-15T11:00"))  # first tick since 10-10: day 4
    assert not any(x.startswith("⏰") for _, x in sent)
    assert sorted(t for t, _ in sent) == ["@olivia", "@tom"]
    assert all("4 working days late — escalated to the department head" in x for _, x in sent)
    (record,) = records(late)
    assert record.level == "dept-head"
    assert run_tick(late.runtime, at("2026-10-16T09:00")) == []
    assert rows(late.runtime, kind="escalation_post") == []  # `lead` was never this morning's


def test_the_reviewer_acks_with_an_eta_and_the_climb_waits(late) -> None:  # noqa: ANN001
    run_tick(late.runtime, at("2026-10-12T09:00"))
    run_tick(late.runtime, at("2026-10-13T09:00"))
    late.at("2026-10-13T10:00:00+08:00")
    assert "tom acknowledged E1; ETA Fri 2026-10-16" in late(
        "tom", "escalation ack E1 eta 2026-10-16", channel="dm")
    assert records(late)[0].state == "acknowledged"
    assert run_tick(late.runtime, at("2026-10-15T09:00")) == []  # day 4: waits for the ETA
    assert run_tick(late.runtime, at("2026-10-16T09:00")) == []
    lapsed = run_tick(late.runtime, at("2026-10-19T09:00"))  # the ETA has passed
    assert sorted(t for t, _ in lapsed) == ["@olivia", "@tom"]
    assert all("the ETA Fri 2026-10-16 has passed — now with the department head" in x
               and "R1 Launch plan v2 — Tech's review · reviewer: tom" in x for _, x in lapsed)
    assert records(late)[0].level == "dept-head"


def test_cancelling_the_review_resolves_its_records(late) -> None:  # noqa: ANN001
    run_tick(late.runtime, at("2026-10-13T09:00"))
    late.at("2026-10-13T10:00:00+08:00")
    late("max", 'review cancel R1 "superseded"')
    (record,) = records(late)
    assert (record.state, record.resolution) == ("resolved", "review-cancelled")
    assert "the review was cancelled" in late("lena", "escalation show E1")
    assert climbing(run_tick(late.runtime, at("2026-10-15T09:00"))) == []


def _slot_data(late, day: str) -> tuple[dict, dict]:  # noqa: ANN001
    """The data of the DM and of the grouped post the ladder queued (from the outbox)."""
    run_tick(late.runtime, at("2026-10-12T09:00"))
    run_tick(late.runtime, at(f"{day}T09:00"))
    from bot.escalation_view import review_slots_of
    from bot.ladder import dm_data
    from storage.models import Project

    with Session(late.runtime.engine) as db:
        (record,) = db.exec(select(Escalation)).all()
        project = db.exec(select(Project)).one()
        review = review_slots_of(db, [record])[record.subject_id]
        data = dm_data(record, project, None, None, record.due_date, days=2, kind="level",
                       review=review, why=None)
    return data, {"project": "LA", "project_name": "Launch", "rows": [data], "date": None}


def test_the_dm_has_the_buttons_and_reads_in_both_locales(late) -> None:  # noqa: ANN001
    from bot.adapters.dingtalk.render import DingTalkRenderer
    from bot.adapters.slack.render import SlackRenderer
    from bot.render import renderer_for

    data, post = _slot_data(late, "2026-10-13")
    message = SlackRenderer().message("escalation_dm", data, "en")
    actions = {e["action_id"] for b in message.blocks for e in b.get("elements", [])
               if "action_id" in e}
    assert actions == {"tfmodal:ack:LA/E1", "tfmodal:resolve:LA/E1"}
    assert "R1 Launch plan v2 — Tech's review, 2 working days late" in message.text
    zh = SlackRenderer().message("escalation_dm", data, "zh-CN").text
    assert "R1 Launch plan v2 — Tech的审核，已逾期 2 个工作日，已上报给" in zh
    assert "审核人：tom" in zh
    card = DingTalkRenderer().render("escalation_dm", data, "zh-CN")
    assert "Tech的审核" in card and "escalation ack LA/E1 eta tomorrow" in card
    for platform in ("console", "dingtalk"):
        text = renderer_for(platform).render("escalation_post", post, "zh-CN")
        assert "LA/E1 R1 Launch plan v2 — Tech的审核 · tom · 逾期 2 个工作日" in text
    assert "Tech's review · tom · 2 working days late" in renderer_for("console").render(
        "escalation_post", post, "en")


@pytest.mark.parametrize(("mode", "decision", "other"), [
    ("any", "approve R1", "approved"),  # 或签: one approval settles the whole review
    ("all", 'changes R1 "fix the budget"', "changes"),  # the round closes
])
def test_the_review_settling_resolves_every_slot(
    team, mode: str, decision: str, other: str  # noqa: ANN001
) -> None:
    team("olivia", "dept add Tech head @tom")
    team.at("2026-09-30T10:00:00+08:00")
    team("max", f'review "Launch plan v2" by dept Legal,Tech within 3wd mode {mode}')
    run_tick(team.runtime, at("2026-09-30T10:00"))
    run_tick(team.runtime, at("2026-10-12T09:00"))
    run_tick(team.runtime, at("2026-10-13T09:00"))
    assert [r.state for r in records(team)] == ["open", "open"]
    team.at("2026-10-13T10:00:00+08:00")
    team("leo", decision, channel="dm")
    legal, tech = records(team)
    assert legal.state == tech.state == "resolved"
    assert (legal.resolution, tech.resolution) == (
        ("approved", other) if mode == "any" else ("changes", "changes"))
    assert climbing(run_tick(team.runtime, at("2026-10-15T09:00"))) == []
