"""Local fakes for the delivery benchmark (P4) that enforce the platforms' rate limits.

- `LimitedSlack`: `chat.postMessage`, `conversations.open` and `auth.test` as Slack's Web API
  answers them; about one message a second per channel and a workspace burst
  limit (a token bucket: `burst` at once, `per_second` refilled); over either:
  HTTP 429 with `Retry-After`.
- `LimitedDingTalk`: the access token and the robot APIs; at most `per_minute`
  posts a minute per group (a sliding window), over it: HTTP 403 with code
  `Forbidden.AccessDenied.QpmLimit` and `Retry-After`.

Each records what it accepted (target, text) and how many requests it refused.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class _Fake:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, str]] = []
        self.refused = 0
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> _Fake:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def doubled(self) -> int:
        return sum(n - 1 for n in Counter(self.accepted).values() if n > 1)

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body, no delayed-ACK stall between

            def log_message(self, *args: object) -> None:
                return None

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                status, answer, headers = fake.answer(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


class LimitedSlack(_Fake):
    def __init__(self, per_channel_gap: float = 1.0, per_second: int = 50, burst: int = 50) -> None:
        super().__init__()
        self.gap, self.rate, self.burst = per_channel_gap, per_second, burst
        self.tokens, self.refilled = float(burst), time.monotonic()
        self.last: dict[str, float] = {}
        self.refused_by: Counter[str] = Counter()  # "channel" / "workspace": which limit
        self.url += "/api/"

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        method = path.rsplit("/", 1)[-1]
        if method == "auth.test":  # a Bolt app checks its token at start
            return 200, {"ok": True, "team_id": "T0BENCH", "user_id": "UBOT", "bot_id": "B"}, {}
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "D" + str(body.get("users"))}}, {}
        if method != "chat.postMessage":
            return 200, {"ok": False, "error": "unknown_method"}, {}
        channel = str(body.get("channel"))
        with self.lock:
            self.requests += 1
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
            self.refilled = now
            wait, limit = 0.0, ""
            if channel in self.last and now - self.last[channel] < self.gap * 0.9:
                wait, limit = self.gap - (now - self.last[channel]), "channel"
            elif self.tokens < 1:
                wait, limit = (1 - self.tokens) / self.rate, "workspace"
            if wait > 0:
                self.refused += 1
                self.refused_by[limit] += 1
                retry = {"Retry-After": str(max(1, math.ceil(wait)))}
                return 429, {"ok": False, "error": "ratelimited"}, retry
            self.tokens -= 1
            self.last[channel] = now
            self.accepted.append((channel, str(body.get("text"))))
        return 200, {"ok": True, "channel": channel, "ts": f"{now:.6f}"}, {}


class LimitedDingTalk(_Fake):
    def __init__(self, per_minute: int = 20, window: float = 60.0) -> None:
        super().__init__()
        self.per_minute, self.window = per_minute, window
        self.sent: dict[str, deque[float]] = {}

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict, dict[str, str]]:
        if path.endswith("/oauth2/accessToken"):
            return 200, {"accessToken": "bench-token", "expireIn": 7200}, {}
        if path.endswith("/robot/oToMessages/batchSend"):
            with self.lock:
                self.requests += 1
                for user in body.get("userIds", []):
                    self.accepted.append((f"@{user}", str(body.get("msgParam"))))
            return 200, {"processQueryKey": "q"}, {}
        if not path.endswith("/robot/groupMessages/send"):
            return 404, {"code": "NotFound"}, {}
        group = str(body.get("openConversationId"))
        with self.lock:
            self.requests += 1
            now = time.monotonic()
            sent = self.sent.setdefault(group, deque())
            while sent and now - sent[0] >= self.window:
                sent.popleft()
            if len(sent) >= self.per_minute:
                self.refused += 1
                retry = {"Retry-After": str(math.ceil(self.window - (now - sent[0])))}
                return 403, {"code": "Forbidden.AccessDenied.QpmLimit"}, retry
            sent.append(now)
            self.accepted.append((f"#{group}", str(body.get("msgParam"))))
        return 200, {"processQueryKey": "q"}, {}
