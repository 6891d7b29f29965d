"""The contract between the outbox and each platform's sender.

A sender delivers one rendered payload to one target, or raises: `RetryLater`
for throttling and transient faults (429, 5xx, timeouts, connection errors),
`DeliveryFailed` for faults that retrying cannot fix (bad channel, revoked
token). The outbox decides about pacing, backoff and giving up.
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import Target


class RetryLater(Exception):
    def __init__(self, reason: str, after: float | None = None, scope: str = "target") -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after  # seconds the server asked for (Retry-After), if any
        # "target": the channel or DM waits; "platform": a workspace-wide limit, all wait
        self.scope = scope


class DeliveryFailed(Exception):
    """Permanent: the message cannot be delivered as it is."""


class Sender(Protocol):
    platform: str
    # messages per minute one channel accepts (Slack ~60, DingTalk group robots 20)
    per_channel_per_minute: int

    def deliver(self, target: Target, payload: str) -> None: ...
