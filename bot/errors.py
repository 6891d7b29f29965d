"""User-facing failures: a catalogue key plus its parameters."""

from __future__ import annotations

from typing import Any


class CommandError(Exception):
    """A failure the user caused and can fix; rendered from the message catalogue.

    `key` names a catalogue entry (e.g. ``date.past``); `params` fill it in.
    `usage` names the command whose usage line should follow the message, when
    the dispatcher cannot infer it.
    """

    def __init__(self, key: str, /, *, usage: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.usage = usage

    def __repr__(self) -> str:
        return f"CommandError({self.key!r}, {self.params!r})"
