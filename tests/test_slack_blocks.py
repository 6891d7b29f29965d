"""Block Kit rendering: limits, escaping, locales and Slack's own text encoding."""

from __future__ import annotations

from datetime import date

import pytest

from bot.adapters.slack.limits import MAX_BLOCKS, MAX_TEXT, refresh_of, text_blocks
from bot.adapters.slack.refresh import refresh_command
from bot.adapters.slack.render import SlackRenderer
from bot.adapters.slack.text import decode

RENDERER = SlackRenderer()


def item(n: int, title: str = "Task", status: str = "open") -> dict[str, object]:
    return {
        "id": f"A{n}",
        "title": f"{title} {n}",
        "owner": "Max",
        "due": date(2026, 11, 20),
        "status": status,
        "late": 0,
        "blocked_reason": None,
        "slips": 0,
    }


def listing(items: list[dict[str, object]], total: int | None = None, locale: str = "en"):
    total = len(items) if total is None else total
    data = {"items": items, "total": total, "more": total - len(items), "filter": "open"}
    return RENDERER.message("action_list", data | {"projects": ["LA"]}, locale)


def texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return found


def test_a_long_list_stays_within_fifty_blocks_and_says_how_many_more() -> None:
    message = listing([item(n) for n in range(1, 31)], total=45)
    assert len(message.blocks) <= MAX_BLOCKS
    buttons = [b for b in message.blocks if b["type"] == "actions"]
    assert len(buttons) == 20  # the rest are listed without buttons
    assert "A30 Task 30" in texts(message.blocks)[-2]
    assert texts(message.blocks)[-1] == "… and 15 more"


def test_sections_are_cut_at_three_thousand_characters() -> None:
    message = listing([item(n, title="x&" * 2000) for n in range(1, 3)])
    for text in texts(message.blocks):
        assert len(text) <= MAX_TEXT
        assert not text.rstrip("…").endswith(("&", "&a", "&am", "&amp"))


def test_text_is_split_into_sections_and_capped() -> None:
    blocks = text_blocks("\n".join(f"line {n} {'y' * 90}" for n in range(3000)))
    assert len(blocks) == MAX_BLOCKS
    assert all(len(t) <= MAX_TEXT for t in texts(blocks))
    assert texts(blocks)[-1].startswith("… and ")


def test_done_items_have_no_buttons_and_open_ones_start_and_done() -> None:
    message = listing([item(1, status="done"), item(2, status="in_progress"), item(3)])
    actions = {
        b["block_id"]: [e["value"] for e in b["elements"]]
        for b in message.blocks
        if b["type"] == "actions"
    }
    assert actions == {
        "item:A2": ["action done A2"],
        "item:A3": ["action start A3", "action done A3"],
    }


def test_labels_follow_the_locale() -> None:
    message = listing([item(1)], locale="zh-CN")
    labels = [
        e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["开始", "完成"]
    assert "未完成" in message.text or "项" in message.text


def test_refresh_marker_round_trips() -> None:
    message = listing([item(1)]).refreshed_by("action list overdue")
    block_id = next(b["block_id"] for b in message.blocks if b["type"] == "actions")
    assert block_id.startswith("item:A1~")
    assert refresh_of(block_id) == "action list overdue"
    assert refresh_of("item:A1") is None


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("<!channel> <!here> <!everyone>", "@channel @here @everyone"),
        ("<!subteam^S1|@leads> <!subteam^S2>", "@leads subteam"),
        (
            "<#C1|general> <https://x.example|docs> <mailto:a@b.example|a@b.example>",
            "#general docs (https://x.example) a@b.example",
        ),
        ("owner <@U1|max> and <@U2>", "owner <@U1|max> and <@U2>"),
    ],
)
def test_slack_encoding_is_decoded_at_the_edge(sent: str, meant: str) -> None:
    assert decode(sent) == meant


@pytest.mark.parametrize(
    ("block_id", "command"),
    [
        ("item:A1~action list overdue", "action list overdue"),
        ("item:A1~待办 列表 我的", "待办 列表 我的"),
        ("item:A1~status", "status"),
        ("item:A1~action show A1", "action show A1"),
        ("item:A1~action cancel A1", None),
        ("item:A1~done A1", None),
        ("item:A1~tf action due A1 fri", None),
        ("item:A1~\"unclosed", None),
        ("item:A1~", None),
        ("item:A1", None),
        (["item:A1~status"], None),
    ],
)
def test_a_block_id_refreshes_only_read_only_views(block_id: object, command: str | None) -> None:
    assert refresh_command(block_id) == command
