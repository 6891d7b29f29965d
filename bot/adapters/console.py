"""The console adapter: one command per line on stdin, replies on stdout.

A console user is a name and `@name` is that console user. The channel is a
name too; `--channel dm` is a direct message with the bot. Lines starting
with `:` steer the console itself (`:as NAME`, `:channel NAME`, and `:at`
to set a pinned clock: `:at -3d`, `:at now`, `:at 2026-12-01T09:00`, offsets
counted from when the console started); `#` starts a comment, so scripts can
explain themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TextIO

from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.messages import Inbound
from bot.render import Renderer

DM = "dm"
OFFSET = re.compile(r"^([+-]\d+)([dh])$")


class ConsoleAdapter:
    def __init__(
        self, dispatcher: Dispatcher, user: str, channel: str, out: TextIO, echo: bool = False
    ) -> None:
        self.dispatcher = dispatcher
        self.clock: Clock = dispatcher.clock
        self.origin = self.clock.now()
        self.user = user
        self.channel = channel
        self.out = out
        self.echo = echo
        self.renderer = Renderer("console")
        self.meta: dict[str, Callable[[str], None]] = {
            "as": self._switch_user,
            "channel": self._switch_channel,
            "at": self._set_clock,
        }

    def inbound(self, text: str) -> Inbound:
        is_dm = self.channel == DM
        return Inbound(
            platform="console",
            user_id=self.user,
            user_name=self.user,
            text=text,
            channel_id=f"{DM}:{self.user}" if is_dm else self.channel,
            is_dm=is_dm,
        )

    def handle(self, line: str) -> list[str]:
        """The rendered replies to one line of input."""
        replies = self.dispatcher.handle(self.inbound(line))
        return [self.renderer.reply(r) for r in replies]

    def _switch_user(self, name: str) -> None:
        self.user = name.lstrip("@") or self.user

    def _switch_channel(self, name: str) -> None:
        self.channel = name.lstrip("#") or self.channel

    def _set_clock(self, when: str) -> None:
        offset = OFFSET.match(when)
        if when in ("", "now"):
            self.clock.set(self.origin)
        elif offset:
            unit = "days" if offset.group(2) == "d" else "hours"
            self.clock.set(self.origin + timedelta(**{unit: int(offset.group(1))}))
        else:
            try:
                self.clock.set(datetime.fromisoformat(when))
            except ValueError:
                self._print(f"? :at {when} — use now, -3d, +2h or an ISO-8601 time")

    def _meta(self, line: str) -> None:
        verb, _, rest = line[1:].strip().partition(" ")
        action = self.meta.get(verb)
        if action is None:
            self._print(f"? :{verb} — known: " + ", ".join(f":{m}" for m in self.meta))
            return
        action(rest.strip())

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def feed(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if self.echo:
            where = "dm" if self.channel == DM else f"#{self.channel}"
            self._print(f"» {self.user} in {where}: {line}")
        if line.startswith(":"):
            self._meta(line)
            return
        for text in self.handle(line):
            self._print(text)
        if self.echo:
            self._print("")

    def run(self, lines: Iterable[str], prompt: Callable[[], None] | None = None) -> None:
        if prompt:
            prompt()
        for line in lines:
            self.feed(line)
            if prompt:
                prompt()
