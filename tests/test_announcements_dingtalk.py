"""Announcements in DingTalk: dingtalk-stream's client against the local fake gateway and
OpenAPI. The group gets the announcement as markdown whose one live link is the
project's own; each recipient a 1:1 ActionCard whose button sends `read P1/N1` as their
own message; a department person who is no member of the project confirms by typing
the bare id in their DM."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from sqlmodel import Session, select
from test_dingtalk_stream import adapter, fake, runtime, say, shown  # noqa: F401  (fixtures)

from bot.literal import unlink
from bot.outbox.loop import DeliveryLoop
from storage.announcements import AnnouncementRecipient
from storage.models import Department, Person

DM_SEND = "/v1.0/robot/oToMessages/batchSend"
GROUP_SEND = "/v1.0/robot/groupMessages/send"
ZHANG = ("u-zhang", "$:LWCP_v1:$zhang")
SEND = (" 通知 「新审批流程」 「请阅读 https://evil.example/x 后确认」 发给 部门 产品部 "
        "确认截止 2026-11-25 必读 链接 https://docs.example/sop")


def confirmed(runtime) -> dict[str, bool]:  # noqa: ANN001, F811
    with Session(runtime.engine) as db:
        found = db.exec(select(AnnouncementRecipient, Person).join(
            Person, Person.id == AnnouncementRecipient.person_id)).all()
        return {p.user_id: r.confirmed_at is not None for r, p in found}


def test_action_card_typed_confirmation_and_a_non_member(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " project create 上线审批")
    say(fake, " dept add 产品部 head @王磊\u2005", at=(("u-wang", "$:LWCP_v1:$wang"),))
    say(fake, " member add @张三\u2005dept 产品部", at=(ZHANG,))
    with Session(runtime.engine) as db:  # 赵六 is in 产品部 but in no project
        dept = db.exec(select(Department).where(Department.name == "产品部")).one()
        db.add(Person(platform="dingtalk", user_id="u-zhao", display_name="赵六",
                      name_key="赵六", department_id=dept.id))
        db.commit()
    sent = say(fake, SEND)
    assert "N1 新审批流程 已发给 2 人（部门 产品部）" in shown(sent)

    loop = DeliveryLoop(runtime.engine, runtime.clock, {"dingtalk": adapter.sender})
    assert len(loop.run_once().sent) == 3
    cards = {p["body"]["userIds"][0]: p["body"] for p in fake.posts_to(DM_SEND)}
    assert set(cards) == {"u-zhang", "u-zhao"}
    card = cards["u-zhao"]
    assert card["msgKey"] == "sampleActionCard"
    param = json.loads(card["msgParam"])
    assert "P1/N1 新审批流程" in param["text"] and param["singleTitle"] == "已读确认"
    assert parse_qs(urlparse(param["singleURL"]).query)["content"][0] == "read P1/N1"
    # the one live link is the project's; what was typed stays text (no scheme://)
    assert "[打开](https://docs.example/sop)" in param["text"]
    assert "https://evil.example" not in param["text"] and unlink("evil.example/x") in param["text"]
    group = json.loads(fake.posts_to(GROUP_SEND)[-1]["body"]["msgParam"])
    assert "[打开](https://docs.example/sop)" in group["text"]
    assert "read P1/N1" not in json.dumps(group, ensure_ascii=False)

    digest = shown(say(fake, " 周报 立即"))
    assert "待确认的通知（1 项）" in digest and "N1 新审批流程：已确认 0/2" in digest

    # the button sends its command as the user's own message in the 1:1 chat
    answer = say(fake, "read P1/N1", who=("u-zhang", "张三"), conv="cid-dm-zhang", dm=True)
    assert "你已确认阅读 P1/N1 新审批流程" in shown(answer)
    again = say(fake, "已读 N1", who=("u-zhang", "张三"), conv="cid-dm-zhang", dm=True)
    assert "无需再次确认" in shown(again)
    typed = say(fake, "已读 N1", who=("u-zhao", "赵六"), conv="cid-dm-zhao", dm=True)
    assert "你已确认阅读 P1/N1" in shown(typed)
    refused = say(fake, "已读 N1", who=("u-wang", "王磊"), conv="cid-dm-wang", dm=True)
    assert "N1 没有发给你" in shown(refused)
    assert confirmed(runtime) == {"u-zhang": True, "u-zhao": True}
    status = shown(say(fake, " 通知 进度 N1"))
    assert "产品部：已确认 2/2" in status and "张三" in status and "赵六" in status


def test_bad_input_in_chinese_changes_nothing(fake, adapter, runtime) -> None:  # noqa: ANN001, F811
    say(fake, " project create 上线审批")
    assert "不是接收人" in shown(say(fake, " 通知 「标题」 「正文」 发给 大家"))
    assert "不是链接" in shown(say(fake, " 通知 「标题」 「正文」 发给 全员 链接 javascript:x"))
    assert "P1 中没有通知 N7" in shown(say(fake, " 已读 N7"))
    assert confirmed(runtime) == {}
