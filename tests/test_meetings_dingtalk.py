"""The meeting in a DingTalk group: typed check-in after the @-mention, markdown with the
commands to type at the end, and a full agenda under the robot's 20,000-byte limit."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from test_dingtalk_units import robot

from bot.adapters.dingtalk.render import DingTalkRenderer
from bot.messages import Inbound, Mention
from bot.runtime import build
from bot.settings import Settings

NOW = datetime.fromisoformat("2026-11-16T10:00:00+08:00")  # a Monday in Shanghai
LONG = "审批流程优化方案之跨部门协同与落地执行细则" * 9  # 189 characters


def wire_bytes(title: str, text: str) -> int:
    """What the robot API receives: msgParam as a JSON string inside `requests`' json= body."""
    inner = json.dumps({"title": title, "text": text}, ensure_ascii=False)
    return len(json.dumps({"msgKey": "sampleMarkdown", "msgParam": inner}).encode())


class Group:
    def __init__(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/t.db", now=NOW)
        self.runtime = build(settings)
        self.people = {"王磊": Mention("u-wang", "王磊"), "张三": Mention("u-zhang", "张三")}

    def __call__(self, user: str, text: str):  # noqa: ANN204
        name = {"u-wang": "王磊", "u-zhang": "张三"}[user]
        inbound = Inbound("dingtalk", user, text, "cid-g", user_name=name, mentions=self.people)
        return self.runtime.dispatcher.handle(inbound)


def test_check_in_typed_after_the_mention_and_commands_at_the_end(tmp_path: Path) -> None:
    group = Group(tmp_path)
    group("u-wang", "项目 创建 审批提速 键 SP")
    group("u-wang", "部门 新增 产品部 主管 @王磊")
    group("u-wang", "成员 新增 @张三 部门 产品部")
    group("u-wang", "会议 设置 周二 10:00")
    group("u-zhang", "议程 新增 「试点范围」")
    renderer = DingTalkRenderer()
    (agenda,) = group("u-zhang", "议程 查看")
    shown = renderer.for_reply(agenda, dm=False)
    assert shown.text.startswith("#### 📋 会议议程 — SP 审批提速")
    assert shown.text.rstrip().endswith("查看议程：议程 查看")
    (started,) = group("u-wang", "会议 开始")
    checkin = renderer.for_reply(started, dm=False)
    assert checkin.buttons == () and checkin.text.rstrip().endswith("到")
    assert renderer.for_reply(started, dm=True).buttons == (("签到", "到"),)
    inbound, _ = robot("@Taskforce\u2005到")  # what a group member types
    assert inbound.text == "到"
    (answer,) = group("u-zhang", inbound.text)
    assert renderer.for_reply(answer, dm=False).text == "✓ 张三 已签到。"
    (minutes,) = group("u-wang", "会议 结束")
    text = renderer.for_reply(minutes, dm=False).text
    assert "**出席（1）**：张三" in text and "**缺席（1）**：王磊" in text
    assert "- **T1** 试点范围 · 张三" in text


def test_a_full_agenda_stays_under_the_robots_byte_limit(tmp_path: Path) -> None:
    group = Group(tmp_path)
    group("u-wang", "项目 创建 审批提速 键 SP")
    group("u-wang", "部门 新增 产品部 主管 @王磊")
    group("u-wang", "成员 新增 @张三 部门 产品部")
    group("u-wang", "会议 设置 周四 10:00")
    for i in range(12):
        group("u-zhang", f"议程 新增 「{LONG[:180]}{i}」")
        group("u-wang", f'待办 新增 "{LONG}" 负责人 @张三 截止 today')
        group("u-wang", f'待办 新增 "{LONG}" 负责人 @张三 截止 2026-11-18')
        if i % 2:
            group("u-wang", f"阻塞 A{2 * i + 2} 「{LONG}」")
    group.runtime.clock.set(datetime.fromisoformat("2026-11-17T09:00:00+08:00"))
    (agenda,) = group("u-zhang", "议程 查看")
    assert len(agenda.data["sections"]) == 4  # topics, overdue, blocked, due before the next
    message = DingTalkRenderer().for_reply(agenda, dm=False)
    assert "另有" in message.text
    assert wire_bytes(message.title, message.text) < 20_000
