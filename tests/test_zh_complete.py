"""zh-CN is complete: usage lines with Chinese verbs, option words in the language shown,
and a Chinese answer wherever the person writes Chinese and no project decides."""

from __future__ import annotations

import re

import pytest

import bot.handlers  # noqa: F401  (registers the commands)
from bot import catalog, registry
from bot.tokens import tokenize

EN = catalog.messages("en")
ZH = catalog.messages("zh-CN")
# each command once, in its long form (a short form like `show` shares the id)
COMMANDS = list(
    {c.id: c for c in sorted(registry.COMMANDS.values(), key=lambda c: len(c.words))}.values()
)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _group(messages: dict[str, str], prefix: str) -> set[str]:
    return {k for k in messages if k.startswith(prefix)}


@pytest.mark.parametrize("prefix", ["usage.", "option.", "help.", "command.", ""])
def test_same_keys_in_both_locales(prefix: str) -> None:
    assert _group(EN, prefix) == _group(ZH, prefix)


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.id)
def test_every_command_has_a_usage_line_and_help_in_both(cmd: registry.Command) -> None:
    for messages in (EN, ZH):
        assert f"usage.{cmd.id}" in messages
        assert f"help.{cmd.id}" in messages


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.id)
def test_chinese_usage_line_starts_with_chinese_verbs_that_find_the_command(cmd) -> None:
    line = ZH[f"usage.{cmd.id}"]
    words = [t.word for t in tokenize(line.split("|")[0])][: len(cmd.words)]
    assert all(HAN.search(w) for w in words), line
    found, length = registry.find(words)
    assert found is not None and found.id == cmd.id and length == len(cmd.words)


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if any(p.choices for p in c.params)],
                         ids=lambda c: c.id)
def test_option_words_are_shown_in_each_language(cmd: registry.Command) -> None:
    for messages in (EN, ZH):
        line = messages[f"usage.{cmd.id}"]
        for param in cmd.params:
            for choice in param.choices:
                shown = messages[f"option.{choice}"]
                assert shown in line, (cmd.id, choice)


def test_option_words_differ_between_locales() -> None:
    assert all(ZH[k] != EN[k] and HAN.search(ZH[k]) for k in _group(EN, "option."))


def test_chinese_help_lists_chinese_usage_lines(chat) -> None:
    out = chat("li", "帮助", channel="new-group")
    assert "待办 新增 「<标题>」 负责人 @某人 截止 <日期>" in out
    assert "action add" not in out
    detail = chat("li", "帮助 待办 新增", channel="new-group")
    assert detail.startswith("待办 新增") and "新增待办" in detail


def test_unbound_channel_and_dm_answer_in_the_language_written(chat) -> None:
    assert "本群还没有关联项目" in chat("li", "待办 列表 全部", channel="new-group")
    assert "no project" in chat("li", "action list all", channel="new-group")
    assert "无法识别命令" in chat("li", "打卡 一下", channel="new-group")
    too_long = chat("li", "待办 新增 " + "很" * 5000, channel="new-group")
    assert "过长" in too_long
    assert "还没有加入任何项目" in chat("li", "进度", channel="dm")


def test_option_words_accepted_in_chinese(chat) -> None:
    chat("wang", "项目 创建 618大促 编号 S618 语言 中文", channel="g618")
    chat("wang", "部门 新增 市场部 主管 @wang", channel="g618")
    assert "组长" in chat("wang", "成员 新增 @li 部门 市场部 角色 组长", channel="g618")
    assert "试点" in chat("wang", "项目 阶段 试点", channel="g618")
    chat("wang", "待办 新增 「清单」 负责人 @li 截止 2026-12-10", channel="g618")
    chat("li", "待办 阻塞 A1 「等法务」", channel="g618")
    assert "A1" in chat("wang", "待办 列表 阻塞", channel="g618")
    error = chat("wang", "成员 角色 @li 老板", channel="g618")
    assert "组长" in error and "lead" not in error
    assert "周报" in chat("wang", "周报 设置 每周 周四 17:00", channel="g618")


def test_bad_choice_in_english_project_lists_english_words(team) -> None:
    assert "lead | member | viewer" in team("olivia", "member add @nina dept Marketing role boss")
