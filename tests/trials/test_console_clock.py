"""Trial: the console's `:at` and `:tick` with extreme values answer with a clear message
and never crash; the lines after them still run."""

from __future__ import annotations

import io

import pytest
from conftest import Chat
from trial_report import Trial

from bot.adapters.console import ConsoleAdapter

EXTREMES = [
    (":at +99999999999d", "stays between the years 2000 and 2199"),
    (":at -99999999999h", "stays between the years 2000 and 2199"),
    (":at 9999-12-31T23:59", "stays between the years 2000 and 2199"),
    (":at 0001-01-01", "stays between the years 2000 and 2199"),
    (":tick +99999999999d", "stays between the years 2000 and 2199"),
    (":tick 9999-12-31T23:59:59", "stays between the years 2000 and 2199"),
    (":at 2026-13-45", "use now, -3d, +2h or an ISO-8601 time"),
    (":tick +1x", "use +1d, +3h or an ISO-8601 time"),
]


@pytest.mark.parametrize(("line", "message"), EXTREMES, ids=[e[0] for e in EXTREMES])
def test_extreme_clock_lines_answer_and_the_next_lines_run(
    team: Chat, trial: Trial, line: str, message: str
) -> None:
    out = io.StringIO()
    adapter = ConsoleAdapter(team.runtime.dispatcher, "olivia", "launch", out)
    before = team.runtime.clock.now()
    trial.tried(f"{line!r} in a console script, then `:at now` and `action list`")
    adapter.run([line, ":tick +1h", "action list"])
    printed = out.getvalue()
    assert message in printed, printed
    assert team.runtime.clock.now() >= before  # the clock never left its range
    assert printed.rstrip().endswith("No open items."), printed  # the last line ran
    trial.held(f"answered {message!r}; the clock stayed put; the lines after it ran")
