"""Rights by target (COMMANDS.md): what was sent to a person, found by its short id.

A department head, reviewer, announcement or quiz recipient or escalation target acts
on what was sent to them whether or not they are a member of the project. A feature
registers, per id letter, a look-up of the projects in which a record of that number
was sent to the person; a command registered with `scope="target"` names the parameter
that holds the id, and `bot.scope` finds its project through this table:

- `P2/E3` names the project outright;
- in a channel bound to a project, that project;
- in a DM, a bare `E3` is first looked up among what was sent to the caller; when
  nothing was, the usual DM rules (`use`, the only project) decide.

The command's handler then checks that the caller is a target (or holds a role that
may act anyway): the dispatcher's permission rule for such commands is "none".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlmodel import Session

# (db, person id, number) -> ids of the projects where record <letter><number> was sent to them
SentTo = Callable[[Session, int, int], Sequence[int]]
SENT_TO: dict[str, SentTo] = {}

RECORD_ID = re.compile(
    r"^(?:(?P<project>[A-Za-z][A-Za-z0-9_-]{0,15})/)?(?P<letter>[A-Za-z])(?P<seq>\d{1,9})$"
)


def sent_to(letter: str) -> Callable[[SentTo], SentTo]:
    """Register the decorated look-up for ids starting with `letter` (upper case)."""

    def register(function: SentTo) -> SentTo:
        if letter in SENT_TO:
            raise ValueError(f"look-up for {letter!r} registered twice")
        SENT_TO[letter] = function
        return function

    return register


def parse_record_id(raw: object) -> tuple[str | None, str, int] | None:
    """`P2/E3` -> ("P2", "E", 3); `e3` -> (None, "E", 3); None when it is no record id."""
    found = RECORD_ID.match(str(raw).strip())
    if not found:
        return None
    project = found.group("project")
    return (project.upper() if project else None, found.group("letter").upper(),
            int(found.group("seq")))


def projects_sent(db: Session, person_id: int, letter: str, seq: int) -> Sequence[int]:
    """The projects whose record `<letter><seq>` was sent to the person."""
    look_up = SENT_TO.get(letter)
    return look_up(db, person_id, seq) if look_up else ()
