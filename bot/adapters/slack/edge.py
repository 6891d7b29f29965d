"""The public Slack endpoint's front door: an aiohttp handler in front of Bolt.

Nothing unauthenticated reaches Bolt (which parses a body before checking its
signature, and logs the whole body at INFO when the signature is wrong):
1. only `POST /slack/events` (and `GET /healthz`) are served; anything else is 404;
2. a body over `MAX_BODY` is refused with 413 before it is read (aiohttp is told the
   same cap, so it does not buffer more of a chunked one either);
3. the timestamp header must be ASCII digits within five minutes of now, and the
   signature Slack's v0 HMAC of the raw bytes — else 401, which costs one HMAC;
4. a signed body must be well formed (body_checks.py) — else 400.
Refusals are logged as one line with the status and a fixed reason, at most once a
minute per reason with the count since (a flood of forgeries is a few lines): never
the body, never a header's value, never a traceback. No step touches the database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
from collections.abc import Callable

from aiohttp import web

from bot.adapters.slack.body_checks import Malformed, checked_body

log = logging.getLogger(__name__)
PATH = "/slack/events"
HEALTH = "/healthz"
# A click's payload carries the whole message clicked: 50 sections of 3,000 Chinese
# characters are about 1.4 MB once form-encoded. Nothing Slack sends comes near 2 MiB.
MAX_BODY = 2 * 1024 * 1024
WINDOW = 5 * 60  # seconds either side of now, as Slack asks
DIGITS = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")

TIMESTAMP = "X-Slack-Request-Timestamp"
SIGNED = "X-Slack-Signature"
Inner = Callable[[web.Request, bytes], web.StreamResponse]  # a checked request and its body


class Refused(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signed(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v0=" + digest.hexdigest()


def verify(secret: str, timestamp: str, signature: str, body: bytes, now: float) -> None:
    """Slack's request signature over the raw bytes; `Refused` (401) when it does not hold."""
    if not DIGITS.fullmatch(timestamp):
        raise Refused("401 Unauthorized", "no valid timestamp header")
    if abs(now - int(timestamp)) > WINDOW:
        raise Refused("401 Unauthorized", "timestamp outside the five-minute window")
    if not secret or not SIGNATURE.fullmatch(signature):
        raise Refused("401 Unauthorized", "no valid signature header")
    if not hmac.compare_digest(signed(secret, timestamp, body), signature):
        raise Refused("401 Unauthorized", "bad signature")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, refused (413) when it declares or holds more than `limit` bytes
    (the server's own cap, `client_max_size`, stops a chunked body at the same size)."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused("413 Request Entity Too Large", "body over the size cap")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused("413 Request Entity Too Large", "body over the size cap") from None


class RefusalLog:
    """One log line per reason and minute, saying how many requests it stands for."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def refused(self, status: str, reason: str) -> None:
        now = time.monotonic()
        with self._lock:
            last, count = self._counts.get(reason, (-self.every, 0))
            if now - last < self.every:
                self._counts[reason] = (last, count + 1)
                return
            self._counts[reason] = (now, 0)
        more = f"; {count} more since the last report" if count else ""
        log.info("slack request refused: %s (%s%s)", status, reason, more)


class Edge:
    """aiohttp handler: checks every request to `PATH` before `inner` (Bolt) sees it.

    `now` is wall-clock time on purpose: Slack's signing window is real time, not the
    bot's settable clock (bot/clock.py), which may be travelling in a demo.
    """

    def __init__(
        self,
        inner: Inner,
        secret: str,
        limit: int = MAX_BODY,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.secret = secret
        self.limit = limit
        self.now = now
        self.log = RefusalLog()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and request.path == HEALTH:
            return web.Response(text="ok")
        if request.path != PATH:
            return _answer("404 Not Found", "not found")
        if request.method != "POST":
            return _answer("405 Method Not Allowed", "POST only")
        try:
            body = await read_body(request, self.limit)
            headers = request.headers
            verify(self.secret, headers.get(TIMESTAMP, ""), headers.get(SIGNED, ""), body,
                   self.now())
            checked_body(body, request.content_type)
        except Refused as refused:
            self.log.refused(refused.status, refused.reason)
            return _answer(refused.status, refused.reason)
        except Malformed as bad:
            self.log.refused("400 Bad Request", str(bad))
            return _answer("400 Bad Request", "malformed request")
        return self.inner(request, body)


def _answer(status: str, text: str) -> web.Response:
    """A refusal; the connection is closed (the rest of a refused body is not read)."""
    code, reason = status.split(" ", 1)
    response = web.Response(status=int(code), reason=reason, text=text)
    response.force_close()
    return response
