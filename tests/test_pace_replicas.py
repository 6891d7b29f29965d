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
        pace.hold(db, [("slack", pace.WORKSPACE, NOW)])  # the workspace was busy till now
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


def test_late_claims_keep_the_workspace_rate_catching_up_at_most_a_few_messages(
    any_db_url: str,
) -> None:
    """A claim's workspace hold starts where the previous one ended (not at its own,
    later, now), but no more than `pace.BANK` messages back."""
    engine = make_engine(any_db_url)
    with Session(engine) as db:
        for n in range(pace.BANK + 3):
            db.add(OutboxMessage(dedupe_key=f"k:{n}", platform="slack", channel_id=f"C{n}",
                                 kind="message", payload="hi", next_attempt_at=NOW,
                                 created_at=NOW))
        db.commit()

    def claims_at(moment: datetime) -> int:
        taken = 0
        with Session(engine) as db:
            while pace.claim_ready(db, "r", {"slack": 1.0}, moment, LEASE, 1, {"slack": 1.0}):
                taken += 1
            db.commit()
        return taken

    # idle before: a burst of BANK + 1 (the last hold ends at NOW + 1 s), then the rate
    assert claims_at(NOW) == pace.BANK + 1
    assert claims_at(NOW + timedelta(seconds=0.5)) == 0
    assert claims_at(NOW + timedelta(seconds=2)) == 2  # at +1 s and +2 s, not ten more
    engine.dispose()
