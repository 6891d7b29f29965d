"""What one trial tried and what held (see conftest.py)."""

from __future__ import annotations


class Trial:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def tried(self, what: str) -> None:
        self.lines.append(f"  tried: {what}")

    def held(self, what: str) -> None:
        self.lines.append(f"  held:  {what}")
