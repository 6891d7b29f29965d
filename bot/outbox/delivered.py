"""What a delivery round reports: the rows it sent (without their payloads) and the rows
that failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import Target
from storage.delivery_tables import OutboxMessage


@dataclass(frozen=True)
class Delivered:
    """A row this round sent, without its payload: a round can send a whole Friday, and
    holding every message's body until it ended cost about 21 KB a message."""

    id: int
    platform: str
    channel_id: str | None
    user_id: str | None
    kind: str

    @classmethod
    def of(cls, row: OutboxMessage) -> Delivered:
        return cls(row.id, row.platform, row.channel_id, row.user_id, row.kind)  # type: ignore[arg-type]


@dataclass
class DeliveryReport:
    sent: list[Delivered] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)  # few: each with its error
    deferred: int = 0  # given back to be retried after more than `inline_limit`
    throttled: int = 0  # answers that asked to retry later (429, 5xx, …)


def target_of(row: OutboxMessage) -> Target:
    return Target(row.platform, channel_id=row.channel_id, user_id=row.user_id)  # type: ignore[arg-type]
