"""The first project is set up in one go, answered in the language asked for."""

from __future__ import annotations


def test_zh_setup_in_one_go_creates_the_lead_department(chat) -> None:
    out = chat("wang", "项目 创建 618大促 编号 S618 牵头部门 市场部", channel="g618")
    assert "已创建项目 S618" in out
    assert "部门 市场部 原先不存在，已新建" in out
    assert "市场部" in chat("wang", "项目 信息", channel="g618")
    # the department is there for members at once
    assert "加入 S618" in chat("wang", "成员 新增 @li 部门 市场部", channel="g618")


def test_an_ascii_command_asking_for_zh_cn_is_answered_in_chinese(chat) -> None:
    out = chat("wang", "project create Big618 key B618 lead-dept Ops locale zh-CN", channel="g2")
    assert "已创建项目 B618" in out and "Ops" in out and "Project" not in out
    error = chat("wang", "project create X key B618 locale zh-CN", channel="g3")
    assert "已被占用" in error


def test_dept_add_before_any_project_in_an_unbound_channel_and_a_dm(chat) -> None:
    assert "已新增部门 市场部" in chat("wang", "部门 新增 市场部 主管 @wang", channel="new")
    assert "Department Legal added" in chat("wang", "dept add Legal head @lee", channel="dm")
    out = chat("wang", "project create Launch lead-dept Legal", channel="new")
    assert "did not exist" not in out and "Launch" in out


def test_dept_add_in_a_project_channel_still_needs_a_lead(team) -> None:
    assert "Only a lead" in team("max", "dept add Sales head @max")
