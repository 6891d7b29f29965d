"""README works as pasted: every console block runs through the console without an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter, strip_comment

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)


def console_blocks() -> list[str]:
    """The blocks fenced as ```console (or with no language: a console block too)."""
    text = README.read_text(encoding="utf-8")
    return [m.group(3) for m in FENCE.finditer(text) if m.group(2) in ("", "console")]


def test_readme_has_console_blocks_and_links_the_command_language() -> None:
    assert len(console_blocks()) >= 3
    text = README.read_text(encoding="utf-8")
    assert "](docs/commands.md)" in text
    assert (README.parent / "docs" / "commands.md").is_file()


@pytest.mark.parametrize("block", console_blocks(), ids=lambda b: b.strip().split("\n")[0][:30])
def test_every_console_block_runs_as_written(chat, block: str) -> None:
    adapter: ConsoleAdapter = chat.adapter
    adapter.user, adapter.channel = "olivia", "readme"
    for raw in block.splitlines():
        line = strip_comment(raw).strip()
        if not line or line.startswith(":"):
            continue
        replies = adapter.dispatcher.handle(adapter.inbound(line))
        errors = [r.data for r in replies if r.template == "error"]
        assert errors == [], f"{raw.strip()!r} -> {errors}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("done A1  # finished", "done A1  "),
        ('action add "fix # 1" owner @a due fri # why', 'action add "fix # 1" owner @a due fri '),
        ("add 「#3 清单」 @a fri", "add 「#3 清单」 @a fri"),
        (":channel #launch", ":channel #launch"),
        ("# a whole-line comment", ""),
    ],
)
def test_trailing_comments_outside_quotes(line: str, expected: str) -> None:
    assert strip_comment(line) == expected
