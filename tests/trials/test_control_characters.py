"""Trial (issue 15): control characters. The tokenizer refuses NUL, ESC, BEL and the other
C0/C1 controls (PostgreSQL cannot store NUL; a terminal obeys the rest), so nothing is
stored; and the console prints no terminal control sequence, whatever reached it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from trial_chat import Org

from bot.adapters.console import ConsoleAdapter

HOSTILE = {
    "NUL": "a\x00b",
    "ESC (colour)": "a\x1b[31mred\x1b[0m",
    "BEL": "ring\x07",
    "ESC (OSC title)": "\x1b]0;pwned\x07x",
    "C1 (CSI)": "a\x9b2J",
    "DEL": "a\x7fb",
}
TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed


@pytest.fixture
def org(any_db_url: str) -> Iterator[Org]:
    chat = Org(any_db_url).set_up()
    yield chat
    chat.runtime.engine.dispose()


def test_control_characters_are_refused_before_anything_is_stored(org, trial) -> None:
    for name, text in HOSTILE.items():
        before = org.snapshot()
        trial.tried(f"action add with a title containing {name} ({text!r})")
        answer = org("olivia", f'action add "{text}" owner @max due fri')
        assert "control character" in answer and "U+" in answer, answer
        assert org.snapshot() == before
        trial.held(f"refused: {answer!r}; nothing changed")
    trial.tried("a console user named with NUL and ESC (:as ev\\x00il\\x1b[2J), then status")
    org.adapter.feed(":as ev\x00il\x1b[2J")
    answer = "\n".join(org.adapter.handle("status"))
    assert "Something went wrong" not in answer and org.adapter.user == "evil", answer
    trial.held(f"the name was kept without them: {org.adapter.user!r}; status answered")


def test_the_console_prints_no_terminal_control_sequence(sqlite_url, trial) -> None:
    org = Org(sqlite_url).set_up()
    out = io.StringIO()
    console = ConsoleAdapter(org.runtime.dispatcher, "olivia", "launch", out, echo=True)
    lines = [
        ":\x1b[2Jwipe",  # an unknown console command, echoed back in the answer
        ":as ev\x1b]0;pwned\x07il\x9b2J",  # a console user whose name carries sequences
        "status",
        ":as olivia",
        "member add @ev\x1b]0;pwned\x07il\x9b2J dept Legal",
        "action add \"fix it\" owner @max due fri\x07",
    ]
    for line in lines:
        trial.tried(f"typed into the console: {line!r}")
        console.feed(line)
    printed = out.getvalue()
    assert "wipe" in printed and "» evil" in printed and "control character" in printed
    assert TERMINAL.findall(printed) == [], repr(printed)
    trial.held(f"{len(printed.splitlines())} lines printed, none with ESC, BEL or another "
               "C0/C1 control")
    org.runtime.engine.dispose()
