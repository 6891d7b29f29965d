"""Text people really type: full-width forms, Chinese commas, the dates they use."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates import parse_due
from bot.errors import CommandError
from bot.tokens import tokenize
from bot.workdays import calendar_for

WEDNESDAY = date(2026, 11, 18)

FORMS = [
    ("本周五", date(2026, 11, 20)),
    ("这周五", date(2026, 11, 20)),
    ("this fri", date(2026, 11, 20)),
    ("下下周一", date(2026, 11, 30)),
    ("月底", date(2026, 11, 30)),
    ("end of month", date(2026, 11, 30)),
    ("下月初", date(2026, 12, 1)),
    ("大后天", date(2026, 11, 21)),
    ("12.5", date(2026, 12, 5)),
    ("12/5", date(2026, 12, 5)),
    ("１２／５", date(2026, 12, 5)),
    ("next monday", date(2026, 11, 23)),
    ("thursday", date(2026, 11, 19)),
    ("sun", date(2026, 11, 22)),
    ("星期天", date(2026, 11, 22)),
    ("礼拜四", date(2026, 11, 19)),
    ("下周三", date(2026, 11, 25)),
]


@pytest.mark.parametrize(("typed", "expected"), FORMS)
def test_typed_date_forms(typed: str, expected: date) -> None:
    assert parse_due(typed, WEDNESDAY, calendar_for("cn")) == expected


def test_an_unknown_form_lists_the_known_ones() -> None:
    with pytest.raises(CommandError) as raised:
        parse_due("someday", WEDNESDAY, calendar_for("cn"))
    assert raised.value.key == "date.invalid"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("待办 完成 Ａ３", ["待办", "完成", "a3"]),
        ("ＡＣＴＩＯＮ ｄｏｎｅ A1", ["action", "done", "a1"]),
        ("「标题」，负责人 ＠李娜、截止 周五", ["", "负责人", "", "截止", "周五"]),
    ],
)
def test_the_tokenizer_folds_full_width_forms(typed: str, words: list[str]) -> None:
    assert [t.word for t in tokenize(typed)] == words


def test_quoted_text_stays_as_typed() -> None:
    (token,) = tokenize("「Ａ３，（草稿）」")
    assert token.text == "Ａ３，（草稿）"


def test_chinese_commands_as_typed_in_a_group(chat) -> None:
    chat("wang", "项目 创建 618大促 编号 S618 语言 中文 牵头部门 运营部", channel="g")
    chat("wang", "成员 新增 ＠李娜 部门 运营部", channel="g")
    out = chat("wang", "待办 新增 「选品清单」，负责人 ＠李娜，截止 本周五", channel="g")
    assert "已新增 A1" in out and "11月20日" in out
    assert "截止日期改为 11月30日" in chat("wang", "待办 截止 Ａ１ 下下周一", channel="g")
    assert "11月30日" in chat("wang", "待办 详情 A1", channel="g")
    unknown = chat("wang", "待办 截止 A1 改天", channel="g")
    assert "月底" in unknown and "下月初" in unknown


def test_a_due_date_on_a_non_working_day_is_accepted_with_a_note(chat) -> None:
    chat("wang", "项目 创建 618大促 编号 S618 语言 中文 牵头部门 运营部", channel="g")
    out = chat("wang", "待办 新增 「国庆方案」 负责人 @wang 截止 2026-11-21", channel="g")
    assert "已新增 A1" in out
    assert "11月21日(周六)" in out and "非工作日" in out
    out = chat("wang", "待办 新增 「节前检查」 负责人 @wang 截止 2027-02-08", channel="g")
    assert "是春节" in out and "非工作日" in out
    english = chat("olivia", "project create Launch key LA calendar weekends", channel="e")
    assert "LA" in english
    out = chat("olivia", "action add \"Plan\" owner @olivia due sat", channel="e")
    assert "Added A1" in out and "not a working day" in out
