"""The console's sender: a delivered message is printed with its target, without any
terminal control sequence (bot.literal.printable)."""

from __future__ import annotations

import threading
from typing import TextIO

from bot.literal import printable
from bot.messages import Target


def format_delivery(target: Target, payload: str) -> str:
    """`→ #channel` or `→ @person`, then the message."""
    return printable(f"→ {target}\n{payload}")


class ConsoleSender:
    platform = "console"
    per_channel_per_minute = 0  # a terminal needs no pacing

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.header: str | None = None  # printed once before the next message (`:tick`)
        self._lock = threading.Lock()  # the scheduler thread and the prompt share stdout

    def deliver(self, target: Target, payload: str) -> None:
        with self._lock:
            if self.header:
                self.out.write(printable(self.header) + "\n")
                self.header = None
            self.out.write(format_delivery(target, payload) + "\n")
            self.out.flush()
