"""The delivery loop: claim rows that may go now, send each through its platform's sender.

Rows go out interleaved across targets: a claim takes, per channel (or DM),
only its oldest queued row, and only where that channel and its platform may
send now (storage/pace.py); so a paced channel never holds up a ready one, and
each channel keeps its order. When nothing may go, the loop sleeps until the
earliest target is ready (or gives up the round when that is more than
`inline_limit` away). Pacing state lives in the database: replicas share it.

`RetryLater` gives the row back until what the server asked (Retry-After) or
an exponential backoff with jitter, and holds its target that long; with
`scope="platform"` (a workspace-wide 429) the whole platform pauses. With
`workers` > 1 the rows of one claim (each to a different target, so no channel's
order is at stake) are sent that many at a time, in threads. After
`max_attempts` the row is marked failed with its last error and logged (never
dropped). A claim is a lease: if this process dies, another (or this one
restarted) takes the row over once the lease has run out. Every claim and
outcome is its own short transaction, except that rows to an unpaced sender (the
console: nothing to pace, so nothing to record per row) are marked sent together
after their claim's sends (a crash in between sends at most that claim again).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.delivery import DeliveryFailed, RetryLater, Sender
from bot.messages import Target
from bot.outbox.pacing import RetryPolicy, interval
from storage import outbox, pace
from storage.delivery_tables import OutboxMessage
from storage.engine import transaction

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: list[OutboxMessage] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)
    deferred: int = 0  # given back to be retried after more than `inline_limit`
    throttled: int = 0  # answers that asked to retry later (429, 5xx, …)


def target_of(row: OutboxMessage) -> Target:
    return Target(row.platform, channel_id=row.channel_id, user_id=row.user_id)  # type: ignore[arg-type]


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
        workers: int = 1,
    ) -> None:
        self.engine = engine
        self.workers = max(1, workers)  # rows of one claim (all to different targets) at once
        self._lock = threading.Lock()
        self.clock = clock
        self.senders = dict(senders)
        self.intervals = {name: interval(s.per_channel_per_minute) for name, s in senders.items()}
        # optional: messages a second a whole platform (workspace) accepts
        self.workspace = {
            name: 1.0 / rate
            for name, s in senders.items()
            if (rate := getattr(s, "per_workspace_per_second", 0)) > 0
        }
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.monotonic = monotonic
        self.rng = rng or random.Random()
        self.on_sent = on_sent
        self.worker = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._start = 0.0

    def _db(self, action: Callable, *args: object) -> object:  # noqa: ANN001
        with transaction(self.engine) as db:
            return action(db, *args)

    def now(self) -> datetime:
        """The clock; a pinned clock moves on by the time this round has waited."""
        if not self.clock.pinned:
            return self.clock.now()
        return self.clock.now() + timedelta(seconds=self.monotonic() - self._start)

    def run_once(self, max_batches: int = 100_000) -> DeliveryReport:
        """Deliver every row that is due now (waiting for pacing up to `inline_limit`);
        rows claimed elsewhere are left alone."""
        report = DeliveryReport()
        self._start = self.monotonic()
        for _ in range(max_batches):
            now = self.now()
            rows = self._db(
                pace.claim_ready,
                self.worker,
                self.intervals,
                now,
                self.policy.lease,
                self.policy.batch,
                self.workspace,
            )
            if rows:
                self._send(rows, report)
                continue
            ready = self._db(pace.next_ready, list(self.senders), now)
            if ready is None:
                break
            wait = (ready - now).total_seconds()
            if wait > self.policy.inline_limit:
                break
            if wait > 0:
                self.sleep(wait)
        return report

    def _send(self, rows: list[OutboxMessage], report: DeliveryReport) -> None:
        """One claim's rows, `workers` at a time; after a workspace-wide limit the rest of
        that platform's rows are given back. Rows to an unpaced sender (the console) are
        marked sent together, in one transaction after the claim's sends."""
        paused: set[str] = set()
        pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None
        unpaced: list[OutboxMessage] | None = [] if pool is None else None
        try:
            for start in range(0, len(rows), self.workers):
                now_rows = []
                for row in rows[start : start + self.workers]:
                    if row.platform in paused:
                        self._db(pace.release, row.id, self.worker)
                    else:
                        now_rows.append(row)
                if pool is None:
                    scopes = [self._deliver(row, report, unpaced) for row in now_rows]
                else:
                    scopes = list(pool.map(lambda row: self._deliver(row, report), now_rows))
                answers = zip(now_rows, scopes, strict=True)
                paused |= {row.platform for row, scope in answers if scope == "platform"}
        finally:
            if pool is not None:
                pool.shutdown()
            if unpaced:
                self._mark_sent(unpaced, report)

    def _deliver(
        self, row: OutboxMessage, report: DeliveryReport, unpaced: list | None = None
    ) -> str | None:
        """Send one row; the scope of a `RetryLater` ("target"/"platform"), else None.
        Sent to an unpaced sender, it joins `unpaced` (when given) to be marked later."""
        sender = self.senders[row.platform]
        scope = "target"
        try:
            sender.deliver(target_of(row), row.payload)
        except DeliveryFailed as exc:
            self._fail(row, f"{type(exc).__name__}: {exc}", report)
            return None
        except RetryLater as exc:
            error, after = exc.reason, exc.after
            scope = getattr(exc, "scope", "target")
        except Exception as exc:  # a sender bug must not lose the message either
            log.exception("sender %s raised on outbox row %s", row.platform, row.id)
            error, after = f"{type(exc).__name__}: {exc}", None
        else:
            paced = self.intervals.get(row.platform, 0) or row.platform in self.workspace
            if unpaced is not None and not paced:
                unpaced.append(row)
            else:
                self._sent(row, report)
            return None
        with self._lock:
            report.throttled += 1
        self._retry(row, error, after, scope, report)
        return scope

    def _retry(
        self,
        row: OutboxMessage,
        error: str,
        after: float | None,
        scope: str,
        report: DeliveryReport,
    ) -> None:
        """Count the failed attempt and give the row back until it may be tried again."""
        now = self.now()
        attempts = self._db(
            outbox.record_failure, row.id, self.worker, error, now, self.policy.lease
        )
        if not attempts:
            return
        row.attempts, row.last_error = attempts, error
        if attempts >= self.policy.max_attempts:
            self._fail(row, f"gave up after {attempts} attempts: {error}", report)
            return
        wait = self.policy.wait_for(attempts, after, self.rng)
        until = now + timedelta(seconds=wait)
        held = pace.WORKSPACE if scope == "platform" else pace.target_key(row)
        with transaction(self.engine) as db:
            outbox.reschedule(db, row.id, self.worker, until)
            if after is not None or scope == "platform":
                pace.hold(db, [(row.platform, held, until)])
        if wait > self.policy.inline_limit:
            with self._lock:
                report.deferred += 1

    def _sent(self, row: OutboxMessage, report: DeliveryReport) -> None:
        now = self.now()
        with transaction(self.engine) as db:
            if not outbox.mark_sent(db, row.id, self.worker, now):
                log.warning("outbox row %s was sent after its claim lapsed", row.id)
            if every := self.intervals.get(row.platform, 0):  # the gap counts from the answer
                until = now + timedelta(seconds=every)
                pace.extend(db, row.platform, pace.target_key(row), until)
        row.state = "sent"
        with self._lock:
            report.sent.append(row)
            if self.on_sent:
                self.on_sent(row)

    def _mark_sent(self, rows: list[OutboxMessage], report: DeliveryReport) -> None:
        """Rows sent to unpaced senders, marked in one transaction (no pacing to extend)."""
        now = self.now()
        with transaction(self.engine) as db:
            for row in rows:
                if not outbox.mark_sent(db, row.id, self.worker, now):
                    log.warning("outbox row %s was sent after its claim lapsed", row.id)
        for row in rows:
            row.state = "sent"
            report.sent.append(row)
            if self.on_sent:
                self.on_sent(row)

    def _fail(self, row: OutboxMessage, error: str, report: DeliveryReport) -> None:
        self._db(outbox.mark_failed, row.id, self.worker, error)
        row.state, row.last_error = "failed", error
        log.error("outbox row %s to %s failed: %s", row.id, target_of(row), error)
        with self._lock:
            report.failed.append(row)
