"""The command table. `@command` only records metadata; the dispatcher uses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.grammar import Param, parse_spec
from bot.permission_table import rule_for

# Where a command looks for its project: "project" needs one; "optional" runs
# without one; "reads-all" covers every project of the caller in a DM; "named"
# acts on the project its `key` argument names; "target" finds the project of the
# record whose id the parameter named by `target` holds (bot/targets.py).
Scope = Literal["project", "optional", "reads-all", "named", "target"]
# Chinese verbs, word for word (COMMANDS.md), plus the few the table leaves out.
VERB_ALIASES = {
    "帮助": "help",
    "项目": "project",
    "部门": "dept",
    "成员": "member",
    "待办": "action",
    "新增": "add",
    "列表": "list",
    "完成": "done",
    "开始": "start",
    "阻塞": "block",
    "转交": "reassign",
    "截止": "due",
    "备注": "note",
    "详情": "show",
    "会议": "meeting",
    "议程": "agenda",
    "决议": "decision",
    "上报": "escalate",
    "确认": "ack",
    "解决": "resolve",
    "策略": "policy",
    "测验": "quiz",
    "指派": "assign",
    "答题": "take",
    "进度": "status",
    "周报": "digest",
    "使用": "use",
    "创建": "create",
    "绑定": "bind",
    "解绑": "unbind",
    "信息": "info",
    "阶段": "phase",
    "指标": "kpi",
    "角色": "role",
    "重开": "reopen",
    "取消": "cancel",
    "设置": "set",
    "设定": "set",
    "现在": "now",
    "立即": "now",
    "添加": "add",
    # working-day calendar
    "日历": "calendar",
    "节假日": "holiday",
    "调休上班": "workday",
    # training quizzes (测验 指派 答题 进度 are above)
    "成绩": "results",
    "作答": "answer",
    "选择": "pick",
    # parallel reviews (会签)
    "会签": "review",
    "通过": "approve",
    "退回": "changes",
    "委托": "delegate",
    "重新提交": "resubmit",
    "统计": "stats",
    # pilot feedback (问题记录表)
    "反馈": "feedback",
    "采纳": "accept",
    "驳回": "reject",
    "重复": "duplicate",
    "转待办": "act",
    "关闭": "close",
    # pilot and rollout
    "就绪": "readiness",
    # weekly meeting
    "到": "here",
    "签到": "here",
    "结束": "end",
    "停用": "off",
    "历史": "history",
    "搜索": "search",
    "查找": "search",
    "移除": "remove",
    "删除": "remove",
    "查看": "show",
    # escalations: 上报 is `escalate`; its records are 上报记录 (上报记录 列表, 上报记录 详情 E3)
    "上报记录": "escalation",
    "逾期": "overdue",  # policy overdue (as an option word it still means `action list overdue`)
    "重复提醒": "renotify",
    # announcements (正式发文)
    "通知": "announce",
    "已读": "read",
    # first-day fixes: every usage line has a Chinese verb
    "免打扰": "quiet",
}


@dataclass(frozen=True)
class Command:
    id: str  # "action.add": names the usage line and help text
    words: tuple[str, ...]
    params: tuple[Param, ...]
    permission: str
    scope: Scope
    handler: Callable[..., Any]
    custom_parse: Callable[..., dict[str, object]] | None = None
    target: str | None = None  # scope "target": the parameter holding the record id


COMMANDS: dict[tuple[str, ...], Command] = {}


def command(
    words: str,
    spec: str = "",
    *,
    permission: str | None = None,
    scope: Scope = "project",
    id: str | None = None,
    parse: Callable[..., dict[str, object]] | None = None,
    target: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated handler for the command `words` (e.g. "action add").

    Its permission rule comes from the permission table (bot/permission_table.py); a
    `permission` given here must agree with it, and a command the table does not list
    cannot be registered."""
    key = tuple(words.split())
    command_id = id or ".".join(key)
    rule = rule_for(command_id)
    if rule is None:
        raise ValueError(f"{command_id} is not in the permission table (bot/permission_table.py)")
    if permission is not None and permission != rule:
        raise ValueError(f"{command_id}: permission {permission!r}, the table says {rule!r}")

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        if key in COMMANDS:
            raise ValueError(f"command {words!r} registered twice")
        COMMANDS[key] = Command(
            id=command_id,
            words=key,
            params=parse_spec(spec),
            permission=rule,
            scope=scope,
            handler=handler,
            custom_parse=parse,
            target=target,
        )
        return handler

    return register


def find(words: list[str]) -> tuple[Command | None, int]:
    """The longest registered command that `words` start with, and its length."""
    canonical = [VERB_ALIASES.get(w, w) for w in words[:3]]
    for length in (3, 2, 1):
        found = COMMANDS.get(tuple(canonical[:length]))
        if found and len(canonical) >= length:
            return found, length
    return None, 0


def by_id(command_id: str) -> Command | None:
    return next((c for c in COMMANDS.values() if c.id == command_id), None)
