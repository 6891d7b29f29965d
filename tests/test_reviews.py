"""Parallel reviews (会签/或签) through the core, with the clock pinned over the PRC calendar.

The `team` fixture: project LA (Asia/Shanghai, calendar cn) in #launch; olivia process
owner, lena lead (Legal), max member (Marketing), vic viewer; Marketing's head mona and
Legal's head leo are not members. Here Tech (head tom, not a member) joins.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select
from support_scheduler import rows

from bot.exports.run import export
from storage import people
from storage.models import ActionItem
from storage.reviews import Review, ReviewDecision, ReviewSlot


@pytest.fixture
def rv(team):  # noqa: ANN001, ANN201
    team("olivia", "dept add Tech head @tom")
    return team


def review(chat, seq: int = 1) -> Review:  # noqa: ANN001
    with Session(chat.runtime.engine) as db:
        return db.exec(select(Review).where(Review.seq == seq)).one()


def slots(chat, seq: int = 1) -> dict[str, str]:  # noqa: ANN001
    """Slot state by the reviewer's name."""
    with Session(chat.runtime.engine) as db:
        found = db.exec(
            select(ReviewSlot).join(Review).where(Review.seq == seq).order_by(ReviewSlot.id)
        ).all()
        names = people.by_ids(db, [s.reviewer_id for s in found])
        return {names[s.reviewer_id].display_name: s.state for s in found}


def asked(chat, kind: str = "review_request") -> list[str]:  # noqa: ANN001
    return [r.user_id for r in rows(chat.runtime, kind=kind)]


OPEN = 'review "Launch plan v2" by dept Legal,Tech within 3wd link https://docs.example/v2'


def test_everyone_is_asked_at_once_and_the_due_date_counts_working_days(rv) -> None:  # noqa: ANN001
    reply = rv("max", OPEN)
    # opened Wednesday 2026-11-18: Thu, Fri, Mon -> due at the end of Monday the 23rd
    assert "Review R1 opened: Launch plan v2" in reply
    assert "due Mon 2026-11-23" in reply and "Legal: leo" in reply and "Tech: tom" in reply
    assert review(rv).due_date == date(2026, 11, 23)
    assert sorted(asked(rv)) == ["leo", "tom"]
    assert slots(rv) == {"leo": "pending", "tom": "pending"}


def test_mode_all_needs_every_slot_and_closes_the_linked_item(rv) -> None:  # noqa: ANN001
    rv("max", 'action add "Sign-off" owner @max due 2026-11-30')
    rv("max", OPEN + " item A1")
    assert "The review is now open" in rv("leo", "approve R1 fine by Legal", channel="dm")
    assert review(rv).state == "open"
    assert "The review is now approved" in rv("tom", "approve LA/R1", channel="dm")
    assert review(rv).state == "approved"
    assert asked(rv, "review_outcome") == ["max"]
    shown = rv("max", "action show A1")
    assert "done" in shown and "Review LA/R1 approved: Launch plan v2" in shown
    with Session(rv.runtime.engine) as db:
        assert db.exec(select(ActionItem)).one().status == "done"


def test_mode_any_needs_one(rv) -> None:  # noqa: ANN001
    rv("max", 'review "Pricing" by @lena,@olivia within 2wd mode any')
    assert "The review is now approved" in rv("lena", "approve R1")
    assert review(rv).state == "approved"
    assert "approved; nothing more" in rv("olivia", "approve R1")


def test_changes_close_the_round_and_resubmission_asks_again(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    rv("tom", "approve R1", channel="dm")
    reply = rv("leo", 'changes R1 "Clause 4 needs the new privacy wording"', channel="dm")
    assert "The review is now changes requested" in reply
    assert review(rv).state == "changes"
    outcome = rows(rv.runtime, kind="review_outcome")[-1]
    assert outcome.user_id == "max" and "Clause 4 needs the new privacy wording" in outcome.payload
    assert "Round 1 of R1 is closed" in rv("leo", "approve R1", channel="dm")
    before = len(asked(rv))
    rv.at("2026-11-20T10:00:00+08:00")
    reply = rv("max", 'review resubmit R1 "privacy wording updated"')
    assert "round 2, 1 asked again" in reply and "due Wed 2026-11-25" in reply
    assert asked(rv)[before:] == ["leo"]  # tom approved and stays approved
    assert "privacy wording updated" in rows(rv.runtime, kind="review_request")[-1].payload
    assert slots(rv) == {"leo": "pending", "tom": "approved"}
    assert "approved" in rv("leo", "approve R1", channel="dm")
    assert review(rv).state == "approved" and review(rv).round == 2
    shown = rv("max", "review show R1")
    assert "requested changes: Clause 4" in shown and "round 2 · resubmitted" in shown


def test_resubmit_all_asks_everyone_again(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    rv("tom", "approve R1", channel="dm")
    rv("leo", 'changes R1 "no"', channel="dm")
    rv("max", "review resubmit R1 all")
    assert slots(rv) == {"leo": "pending", "tom": "pending"}


def test_delegation_hands_the_slot_on(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    assert "can hand on" in rv("max", "review delegate R1 @lara")  # not a head
    assert "Legal now goes to lara" in rv("leo", "review delegate R1 @lara", channel="dm")
    assert asked(rv)[-1] == "lara"
    assert "delegated" not in rv("lara", "approve R1", channel="dm").lower()
    assert slots(rv)["leo"] == "approved"
    assert "You do not review R1" in rv("max", "approve R1")
    # only Tech is still pending: a lead needs not name it
    assert "Tech now goes to lara" in rv("lena", "review delegate R1 @lara")


def test_a_lead_names_the_department_to_delegate(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    assert "Which department's slot of R1? Say dept <name>: Legal, Tech" in rv(
        "lena", "review delegate R1 @sam"
    )
    assert "Tech now goes to sam" in rv("lena", "review delegate R1 @sam dept Tech")
    assert "You approved LA/R1" in rv("sam", "approve R1", channel="dm")
    assert slots(rv) == {"leo": "pending", "tom": "approved"}


def test_only_a_slots_reviewer_decides(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    before = rv.snapshot()
    for user in ("vic", "max", "lena", "olivia"):
        assert "You do not review R1" in rv(user, "approve R1")
    assert "You do not review R1" in rv("stranger", "approve LA/R1", channel="dm")
    assert rv.snapshot() == before
    # tom is no member of LA: a bare id in his DM finds the slot sent to him
    assert "You approved LA/R1" in rv("tom", "approve R1", channel="dm")
    assert "already decided" in rv("tom", "approve R1", channel="dm")
    assert "Only the requester" in rv("vic", 'review cancel R1 "no"')
    assert "is cancelled" in rv("max", 'review cancel R1 "superseded by v3"')
    assert review(rv).state == "cancelled"
    assert "cancelled; nothing more" in rv("leo", "approve R1", channel="dm")
    assert "Viewers can only read" in rv("vic", OPEN)


def test_a_department_without_a_head_goes_to_the_process_owner(rv) -> None:  # noqa: ANN001
    with Session(rv.runtime.engine) as db:
        people.add_department(db, "Ops", None)
        db.commit()
    reply = rv("max", 'review "Rollout" by dept Ops within 2wd')
    assert "Ops has no head, so the process owner olivia reviews instead" in reply
    assert asked(rv) == ["olivia"]
    assert "has no head" in rows(rv.runtime, kind="review_request")[0].payload


def test_bad_input_is_refused_with_nothing_changed(rv) -> None:  # noqa: ANN001
    before = rv.snapshot()
    assert "not a time limit" in rv("max", 'review "X" by dept Legal within soon')
    assert "There is no department" in rv("max", 'review "X" by dept Nope within 2wd')
    assert "Missing <within <N>wd>" in rv("max", 'review "X" by dept Legal')
    assert "not one of: all | any" in rv("max", 'review "X" by dept Legal within 2wd mode most')
    assert "not a review id" in rv("max", "approve A1")
    assert "There is no review R9" in rv("max", "review show R9")
    assert rv.snapshot() == before


def test_chinese_words_and_replies(chat) -> None:  # noqa: ANN001
    chat("wang", "project create 上线审批 key SX locale zh-CN", channel="sx")
    for line in ("dept add 市场部 head @wang", "dept add 技术部 head @zhang",
                 "dept add 法务部 head @li"):
        chat("wang", line, channel="sx")
    reply = chat("wang", "会签 「新品上线方案」 由 部门 技术部,法务部 限 3个工作日", channel="sx")
    assert "已发起会签 R1：新品上线方案" in reply and "全部通过（会签）" in reply
    assert "11月23日" in reply
    assert "你已通过 SX/R1" in chat("zhang", "通过 R1 同意", channel="dm")
    assert "已退回" in chat("li", "退回 R1 「第4条需修改」", channel="dm")
    assert "第 2 轮" in chat("wang", "会签 重新提交 R1 已修改第4条", channel="sx")
    assert "会签用时" in chat("wang", "会签 统计", channel="sx")


def test_stats_against_hand_computed_working_days(rv) -> None:  # noqa: ANN001
    rv("olivia", "project kpi 'Legal review days' baseline 5 target 2")
    rv("olivia", "project kpi 'review days' baseline 8 target 3")
    rv.at("2026-09-29T10:00:00+08:00")  # Tue, before National Day
    rv("max", 'review "A" by dept Legal,Tech within 3wd')
    rv.at("2026-10-08T11:00:00+08:00")  # 9-30 and 10-08 are the working days since
    rv("leo", "approve R1", channel="dm")  # Legal: 2
    rv.at("2026-10-10T11:00:00+08:00")  # Saturday, a 调休 working day
    rv("tom", "approve LA/R1", channel="dm")  # Tech: 4 (9-30, 10-08, 10-09, 10-10)
    rv.at("2026-10-12T10:00:00+08:00")  # Mon
    rv("max", 'review "B" by dept Legal,Tech within 3wd')
    rv.at("2026-10-13T10:00:00+08:00")
    rv("tom", "approve R2", channel="dm")  # Tech: 1
    rv.at("2026-10-16T10:00:00+08:00")
    rv("leo", 'changes R2 "more"', channel="dm")  # Legal: 4 (13, 14, 15, 16)
    rv("max", "review resubmit R2")  # round 2 opens Fri 10-16
    rv.at("2026-10-19T10:00:00+08:00")
    rv("leo", "approve R2", channel="dm")  # Legal, round 2: 1 (Mon 10-19)
    shown = rv("olivia", "review stats")
    assert "2 approved, 0 cancelled" in shown
    assert "All decisions: 5, average 2.4, worst 4 (target 3)" in shown
    assert "Legal: 3 decisions, average 2.3, worst 4 (target 2)" in shown
    assert "Tech: 2 decisions, average 2.5, worst 4\n" in shown + "\n"
    assert "Round 1: 4 decisions, average 2.8, worst 4" in shown
    assert "Round 2: 1 decisions, average 1.0, worst 1" in shown
    only = rv("olivia", "review stats dept Tech")
    assert "Review times of Tech" in only and "Legal" not in only
    with Session(rv.runtime.engine) as db:
        kinds = [d.kind for d in db.exec(select(ReviewDecision).order_by(ReviewDecision.id))]
    assert kinds.count("outcome") == 3 and kinds.count("resubmitted") == 1


def test_decisions_feed_the_decision_log(rv) -> None:  # noqa: ANN001
    from bot.reviews_view import decision_log_entries
    from storage import projects

    rv("max", OPEN)
    rv("leo", 'changes R1 "clause 4"', channel="dm")
    with Session(rv.runtime.engine) as db:
        entries = decision_log_entries(db, projects.by_key(db, "LA"))
    assert [(e["source"], e["kind"], e["by"], e["text"]) for e in entries] == [
        ("LA/R1", "changes", "leo", "clause 4"),
        ("LA/R1", "outcome", "leo", "changes"),
    ]


def test_digest_shows_open_reviews_with_time_left(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    rv("max", 'review "Old one" by @lena within 1wd')
    assert "Open reviews (2):" in rv("olivia", "digest now")
    rv.at("2026-11-24T10:00:00+08:00")  # Tue: R1 due Mon 23rd, R2 due Thu 19th
    digest = rv("olivia", "digest now")
    assert "R1 Launch plan v2 · open · 0/2 approved · 1 working day late" in digest
    assert "R2 Old one · open · 0/1 approved · 3 working days late" in digest
    listed = rv("vic", "review list")
    assert "Open reviews (2)" in listed


def test_export_reviews_to_xlsx(rv, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    rv("max", OPEN)
    rv.at("2026-11-20T15:00:00+08:00")
    rv("leo", "approve R1 ok", channel="dm")
    out = tmp_path / "reviews.xlsx"
    assert export(rv.runtime.engine, ["reviews"], out, "LA", None, "en") == 2
    sheet = load_workbook(out)["Reviews"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("ID", "Title", "Mode", "State")
    assert table[0][8] == "Department / person" and table[0][13] == "Working days"
    legal = next(r for r in table[1:] if r[8] == "Legal")
    assert legal[:2] == ("R1", "Launch plan v2") and legal[9] == "leo"
    assert (legal[11], legal[13], legal[14]) == ("approved", 2, "ok")
    tech = next(r for r in table[1:] if r[8] == "Tech")
    assert tech[11] == "pending" and tech[13] is None


def test_a_review_round_trip_on_every_database(any_db_url) -> None:  # noqa: ANN001
    from conftest import SETUP, make_chat
    from support_scheduler import run_tick

    chat = make_chat(any_db_url)
    try:
        for user, line in SETUP:
            chat(user, line)
        chat("olivia", "dept add Tech head @tom")
        chat("max", OPEN)
        assert "You approved LA/R1" in chat("tom", "approve R1", channel="dm")
        chat("leo", 'changes R1 "clause 4"', channel="dm")
        assert "round 2" in chat("max", "review resubmit R1")
        assert "Review times in LA" in chat("olivia", "review stats")
        assert "Open reviews (1)" in chat("vic", "review list")
        from datetime import datetime

        sent = run_tick(chat.runtime, datetime.fromisoformat("2026-11-24T09:00:00+08:00"))
        assert sorted(t for t, x in sent if x.startswith("⏰")) == ["@lena", "@leo", "@olivia"]
    finally:
        chat.runtime.engine.dispose()


def test_decisions_reach_the_project_decision_log_and_the_running_meeting(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    rv("olivia", "meeting set wed 09:00")
    rv("olivia", "meeting start")
    rv("leo", 'approve LA/R1 "fine for legal"', channel="dm-leo")
    rv("tom", 'changes LA/R1 "needs the rollback plan"', channel="dm-tom")
    found = rv("max", "decision search rollback")
    assert "R1 Launch plan v2 (round 1): changes requested by Tech" in found
    assert "needs the rollback plan" in found
    assert "approved by Legal" in rv("max", "decision search legal")
    minutes = rv("olivia", "meeting end")
    assert "approved by Legal" in minutes and "changes requested by Tech" in minutes


def test_the_agenda_shows_open_reviews_with_time_left(rv) -> None:  # noqa: ANN001
    rv("max", OPEN)
    rv("max", 'review "Pricing sheet" by @lena within 1wd')
    rv("lena", "approve R2")
    rv("olivia", "meeting set fri 10:00")
    agenda = rv("olivia", "agenda show")
    assert "Open reviews" in agenda
    assert "R1 Launch plan v2" in agenda and "0/2 approved · 3 working days left" in agenda
    assert "Pricing sheet" not in agenda  # approved: no longer open
