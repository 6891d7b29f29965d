"""HTTP for senders: one JSON POST, its faults sorted into the Sender contract.

429 -> RetryLater(after=Retry-After); 5xx, 408, timeouts and connection errors
-> RetryLater; other 4xx -> DeliveryFailed. Platform senders (Slack, DingTalk)
can build on `post_json`; `WebhookSender` posts to a plain incoming webhook.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.delivery import DeliveryFailed, RetryLater
from bot.messages import Target

TIMEOUT = 10.0


def retry_after(value: str | None, date_header: str | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (against Date:)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        base = parsedate_to_datetime(date_header) if date_header else datetime.now(UTC)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - base).total_seconds())


def post_json(
    url: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> Any:
    """POST `body` as JSON; the decoded JSON answer (None when empty)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        after = retry_after(error.headers.get("Retry-After"), error.headers.get("Date"))
        detail = f"HTTP {error.code} from {url}"
        if error.code == 429 or error.code == 408 or error.code >= 500:
            raise RetryLater(detail, after=after) from None
        raise DeliveryFailed(f"{detail}: {error.read(300).decode('utf-8', 'replace')}") from None
    except (
        urllib.error.URLError,
        TimeoutError,
        ConnectionError,
        http.client.HTTPException,
    ) as error:
        raise RetryLater(f"network error for {url}: {error}") from None
    return json.loads(raw) if raw.strip() else None


class WebhookSender:
    """Posts `{"channel"|"user": id, "text": payload}` to one URL (an incoming webhook)."""

    def __init__(
        self, platform: str, url: str, per_channel_per_minute: int = 60, timeout: float = TIMEOUT
    ) -> None:
        self.platform = platform
        self.url = url
        self.per_channel_per_minute = per_channel_per_minute
        self.timeout = timeout  # seconds a request may take before it counts as failed

    def deliver(self, target: Target, payload: str) -> None:
        where = {"channel": target.channel_id} if target.channel_id else {"user": target.user_id}
        post_json(self.url, {**where, "text": payload}, timeout=self.timeout)
