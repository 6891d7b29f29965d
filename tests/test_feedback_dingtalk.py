"""The feedback log in DingTalk: dingtalk-stream's client against the local fake gateway
and OpenAPI. A member reports in the group and by a 1:1 chat; the process owner triages
and the reporter's DM goes out through the OpenAPI."""

from __future__ import annotations

import json

from sqlmodel import Session, select
from test_dingtalk_stream import (  # noqa: F401  (fixtures)
    WEBHOOK,
    adapter,
    fake,
    runtime,
    say,
    shown,
)

from bot.outbox.loop import DeliveryLoop
from storage.feedback import Feedback

DM_SEND = "/v1.0/robot/oToMessages/batchSend"
ZHANG = ("u-zhang", "$:LWCP_v1:$zhang")


def states(runtime) -> list[str]:  # noqa: ANN001, F811
    with Session(runtime.engine) as db:
        return [f.state for f in db.exec(select(Feedback).order_by(Feedback.seq))]


def test_reports_in_the_group_and_by_dm_and_triage(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " 项目 创建 审批提速")
    say(fake, " 部门 新增 产品部 主管 @王磊\u2005", at=(("u-wang", "$:LWCP_v1:$wang"),))
    say(fake, " 成员 新增 @张三\u2005部门 产品部", at=(ZHANG,))
    zhang = ("u-zhang", "张三")
    group = say(fake, " 反馈 「审批单要填两次成本中心」 严重度 高 步骤 「提交申请」", who=zhang)
    assert "已记录为 F1（严重度 高）" in shown(group)
    private = say(fake, "反馈 「导出太慢」", who=zhang, conv="cid-dm-zhang", dm=True)
    assert "已记录为 F2（严重度 中）" in shown(private)
    assert states(runtime) == ["new", "new"]

    refused = say(fake, " 反馈 采纳 F1", who=zhang)
    assert "只有组长（lead）或流程owner" in shown(refused)
    before = len(fake.posts_to(WEBHOOK))
    say(fake, " 反馈 转待办 F1 负责人 @张三\u2005截止 下周五", at=(ZHANG,))
    # two answers (the triage and the new item): wait for both before the next command
    answers = [shown(p) for p in fake.wait_posts(WEBHOOK, before + 2)[before:]]
    assert any("F1 已转为待办 A1" in text for text in answers)
    rejected = say(fake, " 反馈 驳回 F2 「不在试点范围」")
    assert "已驳回 F2" in shown(rejected)
    assert states(runtime) == ["acted", "rejected"]
    listing = shown(say(fake, " 反馈 列表 全部"))
    assert "全部反馈（2 条）" in listing and "**F1** [高]" in listing

    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    loop.run_once()
    texts = [(p["body"]["userIds"][0], json.loads(p["body"]["msgParam"])["text"])
             for p in fake.posts_to(DM_SEND)]
    mine = [text for user, text in texts if user == "u-zhang"]
    assert any("你的反馈 P1/F1 已由 王磊 转为待办 P1/A1" in t for t in mine)
    assert any("你的反馈 P1/F2 已被 王磊 驳回：不在试点范围" in t for t in mine)
