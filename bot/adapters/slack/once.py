"""Each Slack request handled once, however often Slack sends it.

Slack re-sends a request it did not see acknowledged in time (with
`X-Slack-Retry-Num`); Socket Mode re-delivers envelopes the same way. A
request is known by its `trigger_id` (slash commands, clicks, modal
submissions) or its `event_id` (Events API).

Two steps, so that nothing before the ack waits for the database:
1. before the ack, this middleware: a key this process saw in the last ten
   minutes is acknowledged and dropped (memory only);
2. after the ack, the lazy listener passes `shared_key(body)` to the
   dispatcher, whose transaction claims it first (storage.seen.claim): a
   retry that reached another replica is dropped there.
The middleware runs after Bolt's signature check, so only genuine requests
are remembered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

log = logging.getLogger(__name__)


def request_key(body: Mapping[str, Any]) -> str | None:
    for name in ("trigger_id", "event_id"):
        value = body.get(name)
        if value:
            return f"{name}:{value}"
    return None


def shared_key(body: Mapping[str, Any]) -> str | None:
    """The key claimed in the database (storage.seen) after the ack."""
    key = request_key(body)
    return f"slack:{key}" if key else None


class Once:
    """This process's memory of the request keys it acknowledged (no database access)."""

    def __init__(self, ttl: float = 600.0, size: int = 100_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time `key` is offered within the window, False after."""
        now = time.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + self.ttl
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return True

    def middleware(
        self, request: BoltRequest, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        key = request_key(body)
        if request.lazy_only or key is None or self.first(key):  # lazy-only: see handoff.py
            return next()
        retry = request.headers.get("x-slack-retry-num", ["?"])[0]
        log.info("ignoring a repeated Slack request %s (retry %s)", key, retry)
        return BoltResponse(status=200, body="")
