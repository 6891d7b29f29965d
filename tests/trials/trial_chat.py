"""Console users typing into #launch on any database: tests/conftest.py's Chat, with the
trials' own short set-up."""

from __future__ import annotations

from conftest import Chat, make_chat

SETUP = [
    ("olivia", 'project create "Launch approval" key LA goal "approval 15 -> 7 days"'),
    ("olivia", "dept add Marketing head @mona"),
    ("olivia", "dept add Legal head @leo"),
    ("olivia", "member add @max dept Marketing"),
]


class Org(Chat):
    def __init__(self, url: str) -> None:
        super().__init__(make_chat(url).runtime)

    def set_up(self) -> Org:
        for user, line in SETUP:
            self(user, line)
        return self
