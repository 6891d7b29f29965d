"""Two replicas claiming at once under a workspace-wide pace take turns: the second
sees the hold the first claim committed, instead of both reading "ready" and sending
twice the workspace's rate (benchmarks/delivery.py --replicas 2 saw 1.3 % 429s)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from storage import pace
from storage.delivery_tables import OutboxMessage
from storage.engine import make_engine

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _claim(session: Session, worker: str) -> list[OutboxMessage]:
    # Slack-like: 1 s between two sends to a channel, 1 s a message workspace-wide
    return pace.claim_ready(session, worker, {"slack": 1.0}, NOW, LEASE, 1, {"slack": 1.0})


def test_a_second_replicas_claim_waits_for_the_first_and_sees_its_workspace_hold(
    any_db_url: str,
) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as db:
        for channel in ("C1", "C2"):
            db.add(OutboxMessage(dedupe_key=f"k:{channel}", platform="slack", channel_id=channel,
                                 kind="message", payload="hi", next_attempt_at=NOW,
                                 created_at=NOW))
        db.commit()
    first = Session(engine)
    assert [r.channel_id for r in _claim(first, "replica-1")] == ["C1"]  # not yet committed
    second: dict[str, list[str | None]] = {}

    def other_replica() -> None:
        with Session(engine) as db:
            second["claimed"] = [r.channel_id for r in _claim(db, "replica-2")]
            db.commit()

    thread = threading.Thread(target=other_replica)
    thread.start()
    thread.join(0.5)  # it reaches the database while the first claim is still open
    first.commit()
    first.close()
    thread.join(30)
    assert second == {"claimed": []}  # C2 is ready, but the workspace is held for 1 s
    with Session(engine) as db:
        later = pace.claim_ready(db, "replica-2", {"slack": 1.0}, NOW + timedelta(seconds=1),
                                 LEASE, 1, {"slack": 1.0})
        assert [r.channel_id for r in later] == ["C2"]
    engine.dispose()
