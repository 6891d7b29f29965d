"""Reviews in DingTalk: dingtalk-stream's client against the local fake gateway and
OpenAPI. The ask reaches each head as a 1:1 ActionCard whose buttons send typed
commands; the heads approve by typing them (one of them no member of the project)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from sqlmodel import Session, select
from test_dingtalk_stream import adapter, fake, runtime, say, shown  # noqa: F401  (fixtures)

from bot.outbox.loop import DeliveryLoop
from storage.reviews import Review, ReviewSlot

DM_SEND = "/v1.0/robot/oToMessages/batchSend"
LI = ("u-li", "$:LWCP_v1:$li")
ZHAO = ("u-zhao", "$:LWCP_v1:$zhao")


def states(runtime) -> tuple[str, list[str]]:  # noqa: ANN001, F811
    with Session(runtime.engine) as db:
        review = db.exec(select(Review)).one()
        return review.state, [s.state for s in db.exec(select(ReviewSlot).order_by(ReviewSlot.id))]


def test_heads_get_an_action_card_and_approve_by_typed_command(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " project create 上线审批")
    say(fake, " dept add 市场部 head @王磊\u2005", at=(("u-wang", "$:LWCP_v1:$wang"),))
    say(fake, " dept add 法务部 head @李四\u2005", at=(LI,))
    say(fake, " dept add 技术部 head @赵六\u2005", at=(ZHAO,))
    opened = say(fake, " 会签 「新品上线方案」 由 部门 技术部,法务部 within 3wd")
    assert "已发起会签 R1：新品上线方案" in shown(opened)

    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    assert len(loop.run_once().sent) == 2
    cards = {p["body"]["userIds"][0]: p["body"] for p in fake.posts_to(DM_SEND)}
    assert set(cards) == {"u-li", "u-zhao"}
    card = cards["u-li"]
    assert card["msgKey"] == "sampleActionCard2"
    param = json.loads(card["msgParam"])
    assert "请审核 P1/R1 新品上线方案" in param["text"]
    commands = [parse_qs(urlparse(param[f"actionURL{i}"]).query)["content"][0] for i in (1, 2)]
    assert commands == ["approve P1/R1", "review show P1/R1"]
    assert param["actionTitle1"] == "✔ 通过"

    # the button sends its command as the user's own message in the 1:1 chat
    li = ("u-li", "李四")
    answer = say(fake, commands[0], who=li, conv="cid-dm-li", dm=True)
    assert "你已通过 P1/R1" in shown(answer)
    assert states(runtime) == ("open", ["pending", "approved"])
    refused = say(fake, "通过 R1", who=("u-wang", "王磊"), conv="cid-dm-wang", dm=True)
    assert "你不是 R1 的审核人" in shown(refused)
    # 赵六 is no member of P1: a bare id in his DM finds the slot sent to him
    typed = say(fake, "通过 R1 同意上线", who=("u-zhao", "赵六"), conv="cid-dm-zhao", dm=True)
    assert "你已通过 P1/R1" in shown(typed) and "已通过" in shown(typed)
    assert states(runtime) == ("approved", ["approved", "approved"])


def test_reads_reminders_and_overdue_notices_render_for_dingtalk(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    from datetime import datetime

    from bot.jobs.registry import JobEnv
    from bot.jobs.runner import run_due

    say(fake, " project create 上线审批")
    say(fake, " dept add 法务部 head @李四\u2005", at=(LI,))
    say(fake, " dept add 技术部 head @赵六\u2005", at=(ZHAO,))
    say(fake, " 会签 「新品上线方案」 由 部门 技术部,法务部 限 3个工作日")
    say(fake, "通过 P1/R1", who=("u-zhao", "赵六"), conv="cid-dm-zhao", dm=True)
    say(fake, 'changes P1/R1 "第4条需修改"', who=("u-li", "李四"), conv="cid-dm-li", dm=True)
    say(fake, " 会签 重新提交 R1 已修改第4条")
    shown_r1 = shown(say(fake, " 会签 详情 R1"))
    assert "**法务部**: 李四 · 待审核" in shown_r1 and "退回修改: 第4条需修改" in shown_r1
    assert "第 2 轮" in shown_r1
    assert "审核中的会签（1 项）" in shown(say(fake, " 会签 列表"))
    assert "按部门" in shown(say(fake, " 会签 统计"))
    assert "审核中的会签（1 项）" in shown(say(fake, " 周报 立即"))

    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    loop.run_once()
    env = JobEnv(runtime.engine, runtime.clock, runtime.settings)
    for when in ("2026-11-20T09:00", "2026-11-23T09:00", "2026-11-24T09:00"):
        runtime.clock.set(datetime.fromisoformat(f"{when}+08:00"))
        run_due(env)
    loop.run_once()
    texts = [(p["body"].get("userIds", ["#"])[0], json.loads(p["body"]["msgParam"])["text"])
             for p in fake.posts_to(DM_SEND)]
    reminded = [u for u, x in texts if "🔔" in x]
    assert sorted(reminded) == ["u-li", "u-li"]  # the day before, and on the day
    late = dict((u, x) for u, x in texts if "⏰" in x)
    assert sorted(late) == ["u-li", "u-wang"]  # the reviewer and the process owner
    assert "已超期 1 个工作日" in late["u-li"] and "法务部（李四）" in late["u-wang"]
    outcome = [x for u, x in texts if u == "u-wang" and "退回修改（第 1 轮）" in x]
    assert outcome and "第4条需修改" in outcome[0]
