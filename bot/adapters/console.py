"""The console adapter: one command per line on stdin, replies on stdout.

A console user is a name and `@name` is that console user. The channel is a
name too; `--channel dm` is a direct message with the bot. Lines starting
with `:` steer the console itself (`:as NAME`, `:channel NAME`, and `:at`
to set a pinned clock: `:at -3d`, `:at now`, `:at 2026-12-01T09:00`, offsets
counted from when the console started; `:tick +1d` moves the clock forward
and prints what the scheduler would have posted meanwhile); `#` starts a
comment (at the start of a line or after a command, outside quotes), so scripts
can explain themselves. Messages the outbox delivers to
console targets are printed with their target (`→ #channel`, `→ @name`).
Nothing printed carries a terminal control sequence (bot.literal.printable).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot import catalog
from bot.clock import Clock, as_utc
from bot.dispatch import Dispatcher
from bot.jobs.registry import JobEnv
from bot.jobs.runner import run_due
from bot.literal import printable
from bot.messages import Inbound
from bot.outbox.console import ConsoleSender
from bot.outbox.loop import DeliveryLoop
from bot.render import Renderer, format_date
from bot.tokens import QUOTES

DM = "dm"
OFFSET = re.compile(r"^([+-]\d+)([dh])$")
TICK_STEP = timedelta(minutes=15)  # :tick wakes the scheduler this often on its way
TICK_STEPWISE_LIMIT = timedelta(days=62)  # a longer jump is one catch-up run
# the years the console's clock may show: every date sum the jobs make stays valid
CLOCK_FIRST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_LAST = datetime(2199, 12, 31, 23, 59, tzinfo=UTC)


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
            "tick": self._tick,
        }
        self.sender = ConsoleSender(out)
        self.delivery = DeliveryLoop(dispatcher.engine, self.clock, {"console": self.sender})

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
        self.user = printable(name).lstrip("@") or self.user

    def _switch_channel(self, name: str) -> None:
        self.channel = printable(name).lstrip("#") or self.channel

    def _moment(self, when: str, base: datetime) -> datetime:
        """`when` (now, ±Nd, ±Nh or ISO-8601) as an instant; ValueError or OverflowError
        when it is none, or lies outside the years the clock may show."""
        offset = OFFSET.match(when)
        if when in ("", "now"):
            return base
        if offset:
            unit = "days" if offset.group(2) == "d" else "hours"
            moment = base + timedelta(**{unit: int(offset.group(1))})
        else:
            moment = as_utc(datetime.fromisoformat(when), self.dispatcher.settings.timezone)
        if not CLOCK_FIRST <= moment <= CLOCK_LAST:
            raise OverflowError(when)
        return moment

    def _set_clock(self, when: str) -> None:
        try:
            self.clock.set(self._moment(when, self.origin))
        except ValueError:
            self._say("console.bad_at", value=when)
        except OverflowError:
            self._say("console.clock_range", value=when, first="2000", last="2199")

    def _tick(self, when: str) -> None:
        start = self.clock.now()
        settings = self.dispatcher.settings
        locale = settings.locale or "en"
        try:
            end = start if when in ("", "now") else self._moment(when, start)
        except ValueError:
            self._say("console.bad_tick", value=when)
            return
        except OverflowError:
            self._say("console.clock_range", value=when, first="2000", last="2199")
            return
        if end < start:
            self._print(catalog.text(locale, "console.tick_backwards"))
            return
        env = JobEnv(self.dispatcher.engine, self.clock, settings)
        sent = 0
        for moment in _steps(start, end):
            self.clock.set(moment)
            run_due(env)
            local = self.clock.local(settings.timezone)
            self.sender.header = f"⏰ {format_date(local.date(), locale)} {local:%H:%M}"
            sent += len(self.delivery.run_once().sent)
        self.sender.header = None
        if not sent:
            self._print(catalog.text(locale, "console.tick_nothing"))

    def _meta(self, line: str) -> None:
        verb, _, rest = line[1:].strip().partition(" ")
        action = self.meta.get(verb)
        if action is None:
            self._say(
                "console.unknown_meta", value=verb, known=", ".join(f":{m}" for m in self.meta)
            )
            return
        action(rest.strip())

    def _say(self, key: str, **params: str) -> None:
        self._print(catalog.text(self.dispatcher.settings.locale or "en", key, **params))

    def _print(self, text: str) -> None:
        self.out.write(printable(text) + "\n")
        self.out.flush()

    def feed(self, line: str) -> None:
        line = strip_comment(line).strip()
        if not line:
            return
        if self.echo:
            where = "dm" if self.channel == DM else f"#{self.channel}"
            self._print(f"» {self.user} in {where}: {line}")
        if line.startswith(":"):
            self._meta(line)
            return
        for text in self.handle(line):
            self._print(text)
        self.delivery.run_once()
        if self.echo:
            self._print("")

    def run(self, lines: Iterable[str], prompt: Callable[[], None] | None = None) -> None:
        if prompt:
            prompt()
        for line in lines:
            self.feed(line)
            if prompt:
                prompt()


def strip_comment(line: str) -> str:
    """The line without its `#` comment: a `#` that starts the line, or stands alone
    after a space outside quotes (`done A1  # finished` runs `done A1`; `"#1 fix"` and
    `:channel #launch` keep theirs)."""
    closing: str | None = None
    for i, char in enumerate(line):
        if closing is not None:
            closing = None if char == closing else closing
        elif char in QUOTES:
            closing = QUOTES[char]
        elif char == "#" and (i == 0 or line[i - 1].isspace() and line[i + 1 : i + 2] in " \t"):
            return line[:i]
    return line


def _steps(start: datetime, end: datetime) -> list[datetime]:
    """Quarter-hour wake-ups in (start, end], and `end` itself."""
    if end - start > TICK_STEPWISE_LIMIT:
        return [end]
    steps = []
    moment = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    while (moment := moment + TICK_STEP) < end:
        steps.append(moment)
    return [*steps, end]
