"""Escalations through the DingTalk adapter (stream fake): a department head who is no
member acknowledges in a 1:1 chat, by the ActionCard's button and by typed command."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from sqlmodel import Session, select
from test_dingtalk_fakes import FakeDingTalk
from test_dingtalk_stream import GROUP, adapter, fake, runtime, say, shown  # noqa: F401

from bot.adapters.dingtalk.markdown import DingTalkMessage
from bot.runtime import Runtime
from storage.delivery_tables import OutboxMessage
from storage.escalations import Escalation

LI = ("u-li", "$:LWCP_v1:$li")


def record(rt: Runtime) -> Escalation:
    with Session(rt.engine) as db:
        return db.exec(select(Escalation)).one()


def test_a_head_acknowledges_by_card_button_and_typed_command(
    fake: FakeDingTalk,  # noqa: F811
    adapter,  # noqa: ANN001, F811
    runtime: Runtime,  # noqa: F811
) -> None:
    say(fake, " project create 审批提速")
    say(fake, " dept add 法务部 head @李四\u2005", at=(LI,))
    raised = say(fake, " 上报 「法务与市场对模板有分歧」 给 dept 法务部")
    assert "已上报为 E1" in shown(raised) and raised["session"] == GROUP
    with Session(runtime.engine) as db:
        dm = db.exec(select(OutboxMessage).where(OutboxMessage.user_id == "u-li")).one()
    card = DingTalkMessage.parse(dm.payload)
    assert "法务与市场对模板有分歧" in card.text
    assert ("确认，明天解决", "escalation ack P1/E1 eta tomorrow") in card.buttons

    li = ("u-li", "李四")
    show = say(fake, "上报记录 详情 E1", who=li, conv="cid-dm-li", dm=True)["body"]
    assert show["msgtype"] == "actionCard"
    buttons = {b["title"]: b["actionURL"] for b in show["actionCard"]["btns"]}
    command = parse_qs(urlparse(buttons["确认，3 个工作日内解决"]).query)["content"][0]
    assert command == "escalation ack P1/E1 eta +3wd"
    acked = say(fake, command, who=li, conv="cid-dm-li", dm=True)
    assert "李四 已确认 E1" in shown(acked)
    assert str(record(runtime).eta) == "2026-11-23"  # three working days after Wed 11-18

    typed = say(fake, "确认 E1 预计 2026-11-27", who=li, conv="cid-dm-li", dm=True)
    assert "预计 11月27日(周五) 解决" in shown(typed)
    assert (record(runtime).state, str(record(runtime).eta)) == ("acknowledged", "2026-11-27")
    stranger = say(fake, "确认 P1/E1 预计 2026-11-27", who=("u-x", "路人"), conv="cid-dm-x",
                   dm=True)
    assert "只有 E1 的通知对象" in shown(stranger)
