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
`workers` > 1 up to that many rows are in flight at once, in threads, each to a
different target (so no channel's order is at stake): as one finishes, the next
ready row is claimed, so a send that hangs (until its sender's timeout) holds
only its own channel. After
`max_attempts` the row is marked failed with its last error and logged (never
dropped). A claim is a lease: if this process dies, another (or this one
restarted) takes the row over once the lease has run out. Every claim and
outcome is its own short transaction.
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
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.delivery import DeliveryFailed, RetryLater, Sender
from bot.outbox.delivered import Delivered, DeliveryReport, target_of
from bot.outbox.pacing import RetryPolicy, interval
from storage import outbox, pace
from storage.delivery_tables import OutboxMessage
from storage.engine import transaction

log = logging.getLogger(__name__)
POLL = 0.2  # seconds between claims while rows are in flight and none other is ready


def _log_errors(done: set[Future]) -> None:
    """A send whose outcome could not be recorded (the database was gone): the row
    stays claimed, and is sent again after its lease."""
    for future in done:
        if (error := future.exception()) is not None:
            log.error("outbox send could not be recorded: %s", error, exc_info=error)


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
        if self.workers == 1:
            self._run_serial(report, max_batches)
            return report
        with ThreadPoolExecutor(self.workers, thread_name_prefix="outbox") as pool:
            self._run_pooled(pool, report, max_batches)
        return report

    def _claim(self, now: datetime, limit: int) -> list[OutboxMessage]:
        return self._db(  # type: ignore[return-value]
            pace.claim_ready,
            self.worker,
            self.intervals,
            now,
            self.policy.lease,
            limit,
            self.workspace,
        )

    def _wait_for_ready(self, now: datetime) -> float | None:
        """Seconds until the next row may go (None: nothing left, or too far away)."""
        ready = self._db(pace.next_ready, list(self.senders), now)
        if ready is None:
            return None
        wait = (ready - now).total_seconds()  # type: ignore[operator]
        return None if wait > self.policy.inline_limit else wait

    def _unpaced(self, platform: str) -> bool:
        """A sender with no pacing to record (the console): its rows of a claim are
        marked sent together, in one transaction after the claim's sends."""
        return not self.intervals.get(platform) and platform not in self.workspace

    def _run_serial(self, report: DeliveryReport, max_batches: int) -> None:
        """One row at a time, in claim order; after a workspace-wide limit the rest of
        that platform's claimed rows are given back."""
        for _ in range(max_batches):
            rows = self._claim(self.now(), self.policy.batch)
            paused: set[str] = set()
            sent: list[OutboxMessage] = []
            for row in rows:
                if row.platform in paused:
                    self._db(pace.release, row.id, self.worker)
                    continue
                together = self._unpaced(row.platform)
                outcome = self._deliver(row, report, record=not together)
                if outcome == "platform":
                    paused.add(row.platform)
                elif outcome == "sent" and together:
                    sent.append(row)
            self._sent_together(sent, report)
            if rows:
                continue
            wait = self._wait_for_ready(self.now())
            if wait is None:
                break
            if wait > 0:
                self.sleep(wait)

    def _run_pooled(self, pool: ThreadPoolExecutor, report: DeliveryReport, batches: int) -> None:
        """Up to `workers` rows in flight, each to a different target: a send that hangs
        holds only its own channel, while the others are claimed and sent meanwhile."""
        flying: set[Future] = set()
        for _ in range(batches):
            free = self.workers - len(flying)
            rows = self._claim(self.now(), min(free, self.policy.batch)) if free else []
            flying |= {pool.submit(self._deliver, row, report) for row in rows}
            if rows:
                continue
            wait = self._wait_for_ready(self.now())
            if flying:
                poll = POLL if wait is None else min(POLL, max(wait, 0.0))
                done, flying = futures_wait(flying, timeout=poll, return_when=FIRST_COMPLETED)
                _log_errors(done)
                continue
            if wait is None:
                break
            if wait > 0:
                self.sleep(wait)
        _log_errors(futures_wait(flying).done)

    def _deliver(
        self, row: OutboxMessage, report: DeliveryReport, record: bool = True
    ) -> str | None:
        """Send one row; the scope of a `RetryLater` ("target"/"platform"), "sent" when
        it went out (recorded here unless `record` is False), else None."""
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
            if record:
                self._sent(row, report)
            return "sent"
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
            report.sent.append(Delivered.of(row))
            if self.on_sent:
                self.on_sent(row)

    def _sent_together(self, rows: list[OutboxMessage], report: DeliveryReport) -> None:
        """Unpaced rows of one claim, sent: marked in one transaction (no pace to move)."""
        if not rows:
            return
        mine = self._db(outbox.mark_many_sent, [r.id for r in rows], self.worker, self.now())
        for row in rows:
            if row.id not in mine:  # type: ignore[operator]
                log.warning("outbox row %s was sent after its claim lapsed", row.id)
            row.state = "sent"
            with self._lock:
                report.sent.append(Delivered.of(row))
                if self.on_sent:
                    self.on_sent(row)

    def _fail(self, row: OutboxMessage, error: str, report: DeliveryReport) -> None:
        self._db(outbox.mark_failed, row.id, self.worker, error)
        row.state, row.last_error = "failed", error
        log.error("outbox row %s to %s failed: %s", row.id, target_of(row), error)
        with self._lock:
            report.failed.append(row)
