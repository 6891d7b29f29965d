"""A local fake of Slack for the adapter tests: its Web API, response_urls, signing.

`FakeSlack` is a threaded HTTP server that records every call and answers the
way Slack does (auth.test, chat.postMessage, chat.postEphemeral, chat.update,
conversations.open, users.info, views.open, apps.connections.open), plus
`/response/<name>` for the response_url of a slash command or a click. Tests
can queue failures (status, headers, body) and delays per method.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
TEAM = "T0TEAM"


@dataclass
class Call:
    method: str  # Web API method, or "response_url"
    args: dict[str, Any]
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        return json.dumps(self.args, ensure_ascii=False)


def user(uid: str, display: str, real: str = "", locale: str = "en-US") -> dict[str, Any]:
    return {
        "id": uid,
        "name": display.lower().replace(" ", "."),
        "real_name": real or display,
        "locale": locale,
        "profile": {"display_name": display, "real_name": real or display},
    }


def blocks_fit(blocks: Any) -> bool:
    """Slack's own checks: at most 50 blocks, section and context texts at most 3,000
    characters as sent (escaped `&amp;` counts five)."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks or "[]")
    blocks = blocks or []
    texts = [b.get("text", {}).get("text", "") for b in blocks if b.get("type") == "section"]
    texts += [e.get("text", "") for b in blocks if b.get("type") == "context"
              for e in b.get("elements", [])]
    return len(blocks) <= 50 and all(len(t) <= 3000 for t in texts)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self.delays: dict[str, float] = {}
        self.cannot_post: set[str] = set()
        self.refused_tokens: set[str] = set()  # Slack answers these `invalid_auth`
        self.ws_url = ""
        self._ts = 0
        self._cond = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self._thread = threading.Thread(
            target=lambda: self.server.serve_forever(poll_interval=0.05), daemon=True
        )

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of `method` once there are at least `count` (or fail after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} {method} call(s); saw {seen}")
                self._cond.wait(left)

    def fail_next(self, method: str, status: int, body: Any, headers: dict[str, str] | None = None):
        text = body if isinstance(body, str) else json.dumps(body)
        self.failures.setdefault(method, []).append((status, headers or {}, text))

    # -- answering ----------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _next_ts(self) -> str:
        with self._cond:
            self._ts += 1
            return f"1763430000.{self._ts:06d}"

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        match method:
            case "auth.test":
                return ok | {"team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT", "user": "tf"}
            case "chat.postMessage":
                if args.get("channel") in self.cannot_post:
                    return {"ok": False, "error": "not_in_channel"}
                if not blocks_fit(args.get("blocks")):
                    return {"ok": False, "error": "invalid_blocks"}
                ts = self._next_ts()
                return ok | {"channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
            case "chat.postEphemeral":
                return ok | {"message_ts": self._next_ts()}
            case "chat.update":
                return ok | {"channel": args.get("channel"), "ts": args.get("ts")}
            case "conversations.info":
                channel = str(args.get("channel"))
                if channel in self.cannot_post:  # private, and the bot is not in it
                    return {"ok": False, "error": "channel_not_found"}
                return ok | {"channel": {"id": channel, "is_member": True}}
            case "conversations.open":
                return ok | {"channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}
            case "users.info":
                found = self.users.get(str(args.get("user")))
                return ok | {"user": found} if found else {"ok": False, "error": "user_not_found"}
            case "views.open":
                # Slack answers with the view as shown (its id, hash and an empty state)
                if not args.get("trigger_id"):
                    return {"ok": False, "error": "invalid_trigger_id"}
                view = args.get("view") or {}
                view = json.loads(view) if isinstance(view, str) else view
                shown = {"id": "V1", "team_id": TEAM, "state": {"values": {}}, "hash": "1.a"}
                return ok | {"view": shown | view}
            case "apps.connections.open":
                return ok | {"url": self.ws_url}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                args: dict[str, Any] = dict(parse_qsl(parts.query))
                if "json" in (self.headers.get("Content-Type") or ""):
                    args.update(json.loads(raw or "{}"))
                else:
                    args.update(parse_qsl(raw))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if parts.path.startswith("/response/"):
                    fake._record(Call("response_url", args, parts.path, headers))
                    return self._send(200, {}, "ok", "text/plain")
                method = parts.path.removeprefix("/api/")
                fake._record(Call(method, args, parts.path, headers))
                time.sleep(fake.delays.get(method, 0))
                bearer = headers.get("authorization", "").removeprefix("Bearer ")
                if bearer in fake.refused_tokens:
                    refused = json.dumps({"ok": False, "error": "invalid_auth"})
                    return self._send(200, {}, refused, "application/json")
                queued = fake.failures.get(method)
                if queued:
                    status, extra, text = queued.pop(0)
                    return self._send(status, extra, text, "application/json")
                self._send(200, {}, json.dumps(fake.answer(method, args)), "application/json")

            def _send(self, status: int, extra: dict[str, str], text: str, kind: str) -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


# -- signed requests into the bot ------------------------------------------------------


def signed_headers(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str, float]:
    """POST a form body; (status, text, seconds taken)."""
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    for name, value in headers.items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), time.monotonic() - started


def slash_body(fake: FakeSlack, text: str, user_id: str, channel: str, n: int) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "launch",
        "user_id": user_id,
        "user_name": f"legacy.{user_id.lower()}",
        "command": "/tf",
        "text": text,
        "api_app_id": "A0APP",
        "response_url": fake.response_url(f"cmd{n}"),
        "trigger_id": f"trigger.{n}.{time.monotonic_ns()}",
    }


def form(fields: dict[str, str]) -> str:
    return urlencode(fields)


def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
