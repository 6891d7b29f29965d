"""Escalation commands through the console core: escalate (blocker, conflict), list/show,
ack and resolve with rights by target, the policy and its permissions."""

from __future__ import annotations

from sqlmodel import select

from storage.delivery_tables import OutboxMessage
from storage.engine import transaction
from storage.escalations import Escalation, EscalationPolicy
from storage.models import ActionItem


def outbox(team, kind: str) -> list[tuple[str, str]]:
    with transaction(team.runtime.engine) as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()
        return sorted((r.user_id or f"#{r.channel_id}", r.payload) for r in rows)


def record(team, seq: int = 1) -> Escalation:
    with transaction(team.runtime.engine) as db:
        return db.exec(select(Escalation).where(Escalation.seq == seq)).one()


def test_a_blocker_marks_the_item_and_reaches_the_leads_at_once(team) -> None:
    team("olivia", 'action add "Legal review" owner @max due 2026-11-27')
    answer = team("max", 'escalate A1 "legal has not answered in a week"')
    assert "Escalated as E1" in answer and "lena" in answer and "olivia" in answer
    with transaction(team.runtime.engine) as db:
        item = db.exec(select(ActionItem)).one()
    assert (item.status, item.blocked_reason) == ("blocked", "legal has not answered in a week")
    dms = outbox(team, "escalation_dm")
    assert [who for who, _ in dms] == ["lena", "olivia"]
    assert "🚩 LA/E1 from max: legal has not answered in a week" in dms[0][1]
    (post,) = outbox(team, "escalation_raised")
    assert post[0] == "#launch" and "LA/E1 escalated by max" in post[1]
    shown = team("olivia", "action show A1")
    assert "Escalated: E1 · the leads · open" in shown
    assert "E1 · the leads · open" in team("olivia", "status")


def test_a_conflict_reaches_the_process_owner_and_the_named_head(team) -> None:
    team("max", '上报 "Legal and Marketing disagree on the template" to dept Legal')
    assert [who for who, _ in outbox(team, "escalation_dm")] == ["leo", "olivia"]
    team("max", 'escalate "Budget for the print run" to @vic')
    assert sorted(who for who, _ in outbox(team, "escalation_dm"))[-2:] == ["olivia", "vic"]
    team("max", "escalate we need to decide on the budget")  # no target: "to" is text
    assert record(team, 3).reason == "we need to decide on the budget"
    listed = team("vic", "escalation list")
    assert "E1 · the people named · open" in listed and "E2" in listed


def test_members_only_escalate_and_viewers_may_not(team) -> None:
    before = team.snapshot()
    assert "Viewers can only read" in team("vic", 'escalate "something"')
    assert team.snapshot() == before


def test_the_policy_is_changed_by_leads_only(team) -> None:
    before = team.snapshot()
    assert "you are member" in team("max", "policy overdue 1:owner 3:lead")
    assert "you are viewer" in team("vic", "policy renotify 2h")
    assert team.snapshot() == before
    assert "1:owner 3:lead 5:dept-head" in team("lena", "策略 overdue 1:owner 3:lead 5:dept-head")
    assert "every 4 working hours" in team("olivia", "policy renotify 4h")
    shown = team("max", "policy show")
    assert "3 → the leads" in shown and "every 4 working hours" in shown
    for bad, message in (
        ("policy overdue 3:boss", "is not a ladder level"),
        ("policy overdue 3:lead 1:dept-head", "levels must climb"),
        ("policy overdue 0:owner", "between 1 and"),
        ("policy renotify soon", "is not an interval"),
    ):
        snap = team.snapshot()
        assert message in team("olivia", bad), bad
        assert team.snapshot() == snap
    with transaction(team.runtime.engine) as db:
        assert db.exec(select(EscalationPolicy)).one().levels == "1:owner 3:lead 5:dept-head"


def test_a_non_member_head_acks_by_bare_id_in_a_dm_and_others_cannot(team) -> None:
    team("max", 'escalate "Template conflict" to dept Legal')
    assert "acknowledged E1" in team("leo", "escalation ack E1 eta 2026-11-25", channel="dm")
    assert record(team).state == "acknowledged" and str(record(team).eta) == "2026-11-25"
    assert "Template conflict" in team("leo", "escalation show E1", channel="dm")
    team("max", 'escalate "Another one"')  # E2: the process owner only
    before = team.snapshot()
    refused = team("leo", "escalation ack LA/E2 eta 2026-11-25", channel="dm")
    assert "Only the people E2 was sent to" in refused
    assert "you are member" in team("max", "escalation resolve E1 fixed")
    assert team.snapshot() == before
    assert "E1 resolved: agreed on Legal's template" in team(
        "lena", 'escalation resolve E1 "agreed on Legal\'s template"')
    assert record(team).state == "resolved"
    assert "already resolved" in team("olivia", "escalation ack E1 eta 2026-11-26")


def test_bad_ids_and_dates_change_nothing(team) -> None:
    team("max", 'escalate "Template conflict" to dept Legal')
    before = team.snapshot()
    assert "not an escalation id" in team("olivia", "escalation ack A1 eta 2026-11-25")
    assert "There is no E9" in team("olivia", "escalation ack E9 eta 2026-11-25")
    assert "past" in team("olivia", "escalation ack E1 eta 2026-11-01")
    assert team.snapshot() == before


def test_chinese_verbs_and_locale(team) -> None:
    team("olivia", "project create 质量 key ZL locale zh-CN", channel="zl")
    team("olivia", "member add @max dept Marketing", channel="zl")
    answer = team("max", '上报 "模板冲突" 给 dept Legal', channel="zl")
    assert "已上报为 E1" in answer
    assert "已确认 E1" in team("leo", "确认 ZL/E1 预计 2026-11-25", channel="dm")
    assert "上报（1）：\n  E1 · 指定的人 · 已确认" in team("olivia", "进度", channel="zl")
    assert "E1 已解决：已统一模板" in team("olivia", "解决 E1 已统一模板", channel="zl")
    assert "没有未解决的上报" in team("olivia", "上报记录 列表", channel="zl")
    shown = team("olivia", "上报记录 详情 E1", channel="zl")
    assert "已通知指定的人: leo, olivia" in shown and "E" + "scalat" not in shown


def test_escalate_with_a_record_verb_points_to_escalation_and_raises_nothing(team) -> None:
    """`escalate list` / `上报 列表` meant the records (`escalation list`, 上报记录 列表):
    it says so and raises no escalation titled "list"; quoted, the words are escalated."""
    before = team.snapshot()
    answer = team("max", "escalate list")
    assert "Did you mean: escalation list?" in answer
    assert "escalation ack E2 eta fri" in team("max", "escalate ack E2 eta fri")
    assert team.snapshot() == before
    team("olivia", "project create 质量 key ZL locale zh-CN", channel="zl")
    team("olivia", "member add @max dept Marketing", channel="zl")
    before = team.snapshot()
    answer = team("max", "上报 列表", channel="zl")
    assert "请写：上报记录 列表" in answer and "E" + "scalat" not in answer
    assert team.snapshot() == before
    assert "已上报为 E1" in team("max", '上报 "列表"', channel="zl")
    assert "Escalated as" in team("max", "escalate list of suppliers is late")
