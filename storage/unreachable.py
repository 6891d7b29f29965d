"""Channels the bot cannot post in, as the outbox's failed deliveries show them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_
from sqlmodel import Session, col, select

from storage.delivery_tables import OutboxMessage

# how the platforms say "the bot is not in that channel" (Slack's error codes)
MARKERS = ("not_in_channel", "channel_not_found")


def channels(db: Session) -> Sequence[tuple[str, str, int | None]]:
    """(platform, channel_id, project_id) of each channel a post failed to for good
    because the bot is not in it; one set query."""
    query = (
        select(OutboxMessage.platform, OutboxMessage.channel_id, OutboxMessage.project_id)
        .where(
            OutboxMessage.state == "failed",
            col(OutboxMessage.channel_id).is_not(None),
            or_(*(col(OutboxMessage.last_error).contains(m) for m in MARKERS)),
        )
        .distinct()
        .order_by(OutboxMessage.platform, OutboxMessage.channel_id)
    )
    return [(p, c, pid) for p, c, pid in db.exec(query).all() if c]
