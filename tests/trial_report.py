"""Trials (issue 15): each attack or fault a trial tries, and what held, printed at the end.

A trial takes the `trial` fixture and says `trial.tried("…")` before each attempt and
`trial.held("…")` after the assertion that shows it held; the run ends with a
"trials" section listing them, so CI's log says what was tried, not only that it passed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


class Trial:
    """What one trial tried and what held."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def tried(self, what: str) -> None:
        self.lines.append(f"  tried: {what}")

    def held(self, what: str) -> None:
        self.lines.append(f"  held:  {what}")


REPORT: list[tuple[str, list[str]]] = []


@pytest.fixture
def trial(request: pytest.FixtureRequest) -> Iterator[Trial]:
    record = Trial()
    yield record
    REPORT.append((request.node.nodeid, record.lines))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REPORT:
        return
    terminalreporter.section("trials: what was tried and what held")
    for nodeid, lines in REPORT:
        terminalreporter.write_line(nodeid)
        for line in lines:
            terminalreporter.write_line(line)
