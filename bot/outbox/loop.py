"""The delivery loop: claim due rows, send each through its platform's sender.

Per-channel pacing from the sender's `per_channel_per_minute`; `RetryLater`
waits what the server asked (Retry-After) or an exponential backoff with
jitter; after `max_attempts` the row is marked failed with its last error and
logged (never dropped). A claim is a lease: if this process dies, another (or
this one restarted) takes the row over once the lease has run out.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain, zip_longest

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.delivery import DeliveryFailed, RetryLater, Sender
from bot.messages import Target
from bot.outbox.pacing import Pacer, RetryPolicy
from storage import outbox
from storage.delivery_tables import OutboxMessage
from storage.engine import transaction

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: list[OutboxMessage] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)
    deferred: int = 0  # given back to be retried later


def target_of(row: OutboxMessage) -> Target:
    return Target(row.platform, channel_id=row.channel_id, user_id=row.user_id)  # type: ignore[arg-type]


def _interleaved(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Round-robin over targets, so one busy channel does not hold up the others."""
    by_target: dict[Target, list[OutboxMessage]] = {}
    for row in rows:
        by_target.setdefault(target_of(row), []).append(row)
    mixed = chain.from_iterable(zip_longest(*by_target.values()))
    return [row for row in mixed if row is not None]


class DeliveryLoop:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        senders: Mapping[str, Sender],
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        on_sent: Callable[[OutboxMessage], None] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.senders = dict(senders)
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.pacer = Pacer(sleep, monotonic)
        self.on_sent = on_sent
        self.worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _db(self, action: Callable, *args: object) -> object:  # noqa: ANN001
        with transaction(self.engine) as db:
            return action(db, *args)

    def run_once(self, max_batches: int = 1000) -> DeliveryReport:
        """Deliver every row that is due now; rows claimed elsewhere are left alone."""
        report = DeliveryReport()
        for _ in range(max_batches):
            now = self.clock.now()
            rows = self._db(
                outbox.claim,
                self.worker,
                list(self.senders),
                now,
                self.policy.lease,
                self.policy.batch,
            )
            if not rows:
                break
            for row in _interleaved(rows):
                self._deliver(row, report)
        return report

    def _deliver(self, row: OutboxMessage, report: DeliveryReport) -> None:
        sender = self.senders[row.platform]
        target = target_of(row)
        key = f"{row.platform}:{target}"
        if not self._db(outbox.renew, row.id, self.worker, self.clock.now() + self.policy.lease):
            return  # our lease ran out and another process took the row
        while True:
            self.pacer.wait(key, sender.per_channel_per_minute)
            try:
                sender.deliver(target, row.payload)
            except DeliveryFailed as exc:
                self.pacer.sent(key)
                self._fail(row, f"{type(exc).__name__}: {exc}", report)
                return
            except RetryLater as exc:
                error, after = exc.reason, exc.after
            except Exception as exc:  # a sender bug must not lose the message either
                log.exception("sender %s raised on outbox row %s", row.platform, row.id)
                error, after = f"{type(exc).__name__}: {exc}", None
            else:
                self.pacer.sent(key)
                self._sent(row, report)
                return
            self.pacer.sent(key)
            if not self._retry(row, error, after, report):
                return

    def _retry(
        self, row: OutboxMessage, error: str, after: float | None, report: DeliveryReport
    ) -> bool:
        """Record a failed attempt; True when it is worth trying again right now."""
        now = self.clock.now()
        attempts = self._db(
            outbox.record_failure, row.id, self.worker, error, now, self.policy.lease
        )
        if not attempts:
            return False
        row.attempts, row.last_error = attempts, error
        if attempts >= self.policy.max_attempts:
            self._fail(row, f"gave up after {attempts} attempts: {error}", report)
            return False
        wait = self.policy.wait_for(attempts, after, self.rng)
        if wait > self.policy.inline_limit:
            self._db(outbox.reschedule, row.id, self.worker, now + timedelta(seconds=wait))
            report.deferred += 1
            return False
        self.sleep(wait)
        return True

    def _sent(self, row: OutboxMessage, report: DeliveryReport) -> None:
        if not self._db(outbox.mark_sent, row.id, self.worker, self.clock.now()):
            log.warning("outbox row %s was sent after its claim lapsed", row.id)
        row.state = "sent"
        report.sent.append(row)
        if self.on_sent:
            self.on_sent(row)

    def _fail(self, row: OutboxMessage, error: str, report: DeliveryReport) -> None:
        self._db(outbox.mark_failed, row.id, self.worker, error)
        row.state, row.last_error = "failed", error
        log.error("outbox row %s to %s failed: %s", row.id, target_of(row), error)
        report.failed.append(row)
