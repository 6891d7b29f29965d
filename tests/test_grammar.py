"""Tokenizer, argument grammar and command lookup."""

import pytest

from bot import registry
from bot.errors import CommandError
from bot.grammar import Param, match, parse_spec
from bot.runtime import build  # noqa: F401  (registers the commands)
from bot.tokens import Token, tokenize


def test_tokens_keep_quotes_mentions_and_chinese_quotes():
    tokens = tokenize("add “Draft SOP” 「评审 清单」 @max <@U123|Ann> <@U9> plain")
    assert tokens == [
        Token("add"),
        Token("Draft SOP", quoted=True),
        Token("评审 清单", quoted=True),
        Token("max", mention=True),
        Token("Ann", mention=True, user_id="U123"),
        Token("U9", mention=True, user_id="U9"),
        Token("plain"),
    ]
    assert tokenize("a\u3000b") == [Token("a"), Token("b")]


def test_unclosed_quote_is_an_error():
    with pytest.raises(CommandError) as raised:
        tokenize('action add "never closed')
    assert raised.value.key == "parse.unclosed_quote"


def test_spec_reads_positionals_keywords_and_options():
    assert parse_spec("<item:item> <due:date>") == (Param("item", "item"), Param("due", "date"))
    assert parse_spec("<t:text> owner <o:member> [deliverable <d:text>]") == (
        Param("t", "text"),
        Param("o", "member", "owner"),
        Param("d", "text", "deliverable", optional=True),
    )
    assert parse_spec("<role:lead|member>")[0].choices == ("lead", "member")


SPEC = parse_spec("<title:text> owner <owner:user> due <due:date> [deliverable <what:text>]")


def test_unquoted_text_runs_to_the_next_keyword_in_any_order():
    values = match(SPEC, tokenize("Draft the SOP due next fri owner @max"))
    assert values["title"] == "Draft the SOP"
    assert values["due"] == "next fri"
    assert values["owner"] == Token("max", mention=True)


def test_quoted_keywords_are_text_and_chinese_keywords_work():
    values = match(SPEC, tokenize('"owner due" 负责人 @max 截止 明天 交付物 「清单」'))
    assert values == {
        "title": "owner due",
        "owner": Token("max", mention=True),
        "due": "明天",
        "what": "清单",
    }


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Draft owner @max", "parse.missing"),
        ("Draft owner @max due fri due sat", "parse.repeated"),
        ("Draft owner @max due fri extra", "parse.unexpected"),
        ("owner @max due fri", "parse.missing"),
    ],
)
def test_grammar_errors(text, key):
    with pytest.raises(CommandError) as raised:
        match(SPEC, tokenize(text))
    assert raised.value.key == key


def test_unexpected_word_after_the_positionals():
    with pytest.raises(CommandError) as raised:
        match(parse_spec("<item:item>"), tokenize("A1 A2"))
    assert (raised.value.key, raised.value.params) == ("parse.unexpected", {"value": "A2"})


def test_choice_is_checked():
    with pytest.raises(CommandError) as raised:
        match(parse_spec("<phase:pilot|rollout>"), tokenize("party"))
    assert raised.value.key == "parse.bad_choice"


@pytest.mark.parametrize(
    ("words", "command_id", "length"),
    [
        (["action", "add", "x"], "action.add", 2),
        (["待办", "新增"], "action.add", 2),
        (["完成", "a1"], "done", 1),
        (["add", "x"], "add", 1),
        (["项目", "信息"], "project.info", 2),
        (["help"], "help", 1),
    ],
)
def test_command_lookup_with_aliases(words, command_id, length):
    found, used = registry.find(words)
    assert (found.id, used) == (command_id, length)


def test_unknown_command():
    assert registry.find(["frobnicate"]) == (None, 0)
