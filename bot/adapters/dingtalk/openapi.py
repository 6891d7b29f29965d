"""The DingTalk OpenAPI over plain HTTP: a cached access token and JSON posts.

Errors become the delivery contract's exceptions: throttling (HTTP 429, or 403
with a `…QpsLimit…`/`…QpmLimit…` code), 5xx and network faults are
`RetryLater`; a rejected token is fetched anew and the call tried once more;
anything else is `DeliveryFailed`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.split import as_sent
from bot.delivery import DeliveryFailed, RetryLater

log = logging.getLogger(__name__)
TOKEN_PATH = "/v1.0/oauth2/accessToken"
TIMEOUT = 10.0
THROTTLE_MARKERS = ("qpslimit", "qpmlimit", "throttl", "flowcontrol", "ratelimit", "toofast")
TOKEN_CODES = ("invalidauthentication", "invalid.accesstoken", "accesstokenexpired")


def _code(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("code") or body.get("errcode") or "") if isinstance(body, dict) else ""


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def is_throttled(status: int, code: str) -> bool:
    return status == 429 or any(m in code.lower() for m in THROTTLE_MARKERS)


class OpenApi:
    """Thread-safe: the outbox and the adapter's reply threads share one instance."""

    def __init__(self, config: DingTalkConfig, http: requests.Session | None = None) -> None:
        self.config = config
        self.http = http or requests.Session()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self.tokens_issued = 0

    def token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            body = self._call(
                TOKEN_PATH,
                {"appKey": self.config.client_id, "appSecret": self.config.client_secret},
                token=None,
            )
            if not body.get("accessToken"):
                raise DeliveryFailed(f"no accessToken in the token answer: {body}")
            lifetime = float(body.get("expireIn") or 7200)
            # refresh ahead of expiry: 5 minutes for real tokens, a tenth for short ones
            self._expires = time.monotonic() + lifetime - min(300.0, lifetime / 10)
            self._token = str(body["accessToken"])
            self.tokens_issued += 1
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token, self._expires = None, 0.0

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to `path` with the access token; retried once with a fresh token."""
        try:
            return self._call(path, body, token=self.token())
        except _TokenRejected:
            log.info("dingtalk rejected the access token; fetching a new one")
            self.invalidate()
        try:
            return self._call(path, body, token=self.token())
        except _TokenRejected as error:
            raise DeliveryFailed(f"access token rejected twice: {error}") from None

    def _call(self, path: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token:
            headers["x-acs-dingtalk-access-token"] = token
        try:
            response = self.http.post(
                self.config.url(path), data=as_sent(body), headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException as error:
            raise RetryLater(f"{path}: {type(error).__name__}: {error}") from None
        code = _code(response)
        if response.ok:
            return response.json() if response.content else {}
        detail = f"{path}: HTTP {response.status_code} {code} {response.text[:200]}"
        if is_throttled(response.status_code, code):
            raise RetryLater(detail, after=_retry_after(response))
        if token and (response.status_code == 401 or code.lower() in TOKEN_CODES):
            raise _TokenRejected(detail)
        if response.status_code >= 500:
            raise RetryLater(detail, after=_retry_after(response))
        raise DeliveryFailed(detail)


class _TokenRejected(Exception):
    pass
