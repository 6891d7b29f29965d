"""The platform-neutral half of every escape (bot/literal.py) and Slack's `literal`."""

from __future__ import annotations

from datetime import date

from bot.adapters.slack.render import SlackRenderer
from bot.adapters.slack.text import literal
from bot.literal import Link, printable, unlink


def test_unlink_breaks_schemes_and_host_names_and_leaves_numbers() -> None:
    assert unlink("see https://evil.example/x") == "see https:\u200b//evil\u2024example/x"
    assert unlink("www.evil.com or a@b.co") == "www\u2024evil\u2024com or a@b\u2024co"
    assert unlink("10.0.0.1") == "10\u20240\u20240\u20241"
    assert unlink("v1.2 took 3.5 days") == "v1.2 took 3.5 days"
    once = unlink("https://x.evil.com")
    assert unlink(once) == once


def test_printable_drops_terminal_sequences_and_keeps_lines() -> None:
    assert printable("a\x1b[31mred\x1b[0m\x07\x00\x9b2J\tb\nc") == "ared2J\tb\nc"
    assert printable("\x1b]0;title\x07shown") == "shown"


def test_slack_literal_keeps_words_and_neutralises_markup() -> None:
    assert literal("snake_case 2*3") == "snake_case 2*3"
    assert literal("*b* _i_ ~s~ `c`") == "∗b∗ ＿i＿ ～s～ ˋcˋ"
    assert literal("@here #general <!channel> & co") == "＠here ＃general &lt;!channel&gt; &amp; co"
    assert literal("> quoted\n> again") == "＞ quoted\n＞ again"


def test_a_recorded_link_is_a_link_and_only_an_http_one() -> None:
    data = {"project": "LA", "project_name": "Launch", "ref": "LA/R1",
            "title": "see https://evil.example", "requester": "max",
            "slot": {"label": "Legal", "no_head": False, "reviewer": "leo"}, "mode": "all",
            "due": date(2026, 11, 23), "round": 1, "link": Link("https://docs.example/v?a=1&b=2")}
    message = SlackRenderer().message("review_request", data, "en")
    for shown in (message.text, message.blocks[0]["text"]["text"]):
        assert "<https://docs.example/v?a=1&amp;b=2>" in shown
        assert "https://evil.example" not in shown
    assert Link("javascript:alert(1)").safe is False
    assert Link("https://docs.example/v2").safe is True


def test_identifiers_in_buttons_are_not_swapped_for_look_alikes() -> None:
    message = SlackRenderer().message(
        "quiz_invite",
        {"title": "Safety *basics*", "key": "safety_", "project": "LA", "project_name": "L",
         "questions": 3, "pass_mark": 80, "time_limit": None, "attempts": 2,
         "due": date(2026, 11, 30)},
        "en",
    )
    values = [e["value"] for b in message.blocks for e in b.get("elements", []) if "value" in e]
    assert values == ["quiz take safety_"]
    assert "*basics*" not in message.payload()
