"""A local DingTalk for the adapter tests: the stream gateway and the OpenAPI.

- HTTP (stdlib server on 127.0.0.1): `POST /v1.0/gateway/connections/open`
  answers an endpoint and a one-time ticket; `/v1.0/oauth2/accessToken` issues
  tokens that expire after `token_lifetime` seconds; the robot APIs
  (`groupMessages/send`, `oToMessages/batchSend`) check the token and record
  each post; `/robot/sendBySession` is the session webhook and records too.
- websockets server: accepts only a ticket the gateway issued, pushes frames
  the way DingTalk frames them (specVersion, type, headers with messageId and
  topic, data as a JSON string) and records every ack by the messageId it
  echoes; `drop()` cuts the socket without a close frame.

Nothing here is collected as a test; the test modules import `FakeDingTalk`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

CLIENT_ID = "dingtestclient"
CLIENT_SECRET = "test-secret"
ROBOT_CODE = "dingtestrobot"
BOT_ID = "$:LWCP_v1:$robot"
MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"


MAX_ROBOT_BYTES = 20_000
ROBOT_PATHS = (
    "/robot/sendBySession",
    "/v1.0/robot/groupMessages/send",
    "/v1.0/robot/oToMessages/batchSend",
)


class FakeDingTalk:
    def __init__(self) -> None:
        self.sizes: list[int] = []  # bytes of each robot message as it arrived
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []  # every robot/webhook post: path, body, ...
        self.gateway_opens: list[dict[str, Any]] = []
        self.tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.token_lifetime = 7200
        self.rejected_tokens: list[str] = []  # tokens a robot API call was refused with
        self.throttle: list[tuple[int, dict[str, Any], dict[str, str]]] = []  # next answers
        self.webhook_delay: dict[str, float] = {}  # session -> seconds to stall
        self.webhook_errors: list[int] = []  # errcodes to answer next
        self.tickets: set[str] = set()
        self.acks: dict[str, dict[str, Any]] = {}
        self.stray_acks: list[dict[str, Any]] = []
        self.pushed: list[str] = []
        self.connections = 0
        self._ws: ServerConnection | None = None
        self._loop = asyncio.new_event_loop()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._http.daemon_threads = True
        self.api_url = f"http://127.0.0.1:{self._http.server_address[1]}"

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> FakeDingTalk:
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self._server = self._run(self._serve())
        self.ws_port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._server.close()
        self._run(self._server.wait_closed())
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _serve(self) -> Any:
        return await serve(self._session, "127.0.0.1", 0)

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    # -- the stream --------------------------------------------------------
    async def _session(self, ws: ServerConnection) -> None:
        ticket = parse_qs(urlparse(ws.request.path).query).get("ticket", [""])[0]
        if ticket not in self.tickets:
            await ws.close(4001, "bad ticket")
            return
        self.tickets.discard(ticket)
        self._ws = ws
        self.connections += 1
        try:
            async for raw in ws:
                ack = json.loads(raw)
                message_id = ack.get("headers", {}).get("messageId")
                with self.lock:
                    if message_id in self.pushed and message_id not in self.acks:
                        self.acks[message_id] = ack
                    else:
                        self.stray_acks.append(ack)
        except ConnectionClosed:
            pass  # dropped on purpose, or the client went away

    def push(self, data: dict[str, Any], topic: str = MESSAGE_TOPIC, kind: str = "CALLBACK") -> str:
        """Send one frame to the connected client; returns its messageId."""
        message_id = f"msg-{uuid.uuid4().hex[:12]}"
        frame = {
            "specVersion": "1.0",
            "type": kind,
            "headers": {
                "appId": "app-test",
                "connectionId": f"conn-{self.connections}",
                "contentType": "application/json",
                "messageId": message_id,
                "time": str(int(time.time() * 1000)),
                "topic": topic,
            },
            "data": json.dumps(data, ensure_ascii=False),
        }
        with self.lock:
            self.pushed.append(message_id)
        assert self._ws is not None, "no client is connected"
        self._run(self._ws.send(json.dumps(frame, ensure_ascii=False)))
        return message_id

    def drop(self) -> None:
        """Cut the socket the way a failing network does: no close frame."""
        assert self._ws is not None
        ws, self._ws = self._ws, None
        self._loop.call_soon_threadsafe(ws.transport.abort)

    def robot_message(
        self,
        text: str,
        *,
        staff_id: str,
        nick: str,
        conversation: str,
        dm: bool = False,
        at_users: tuple[tuple[str, str], ...] = (),
    ) -> dict[str, Any]:
        """A robot message as DingTalk delivers it (at_users: (staffId, dingtalkId))."""
        mentioned = [{"dingtalkId": d, "staffId": s} for s, d in at_users]
        now_ms = int(time.time() * 1000)
        return {
            "conversationId": conversation,
            "atUsers": [] if dm else [{"dingtalkId": BOT_ID}, *mentioned],
            "chatbotCorpId": "dingcorp",
            "chatbotUserId": BOT_ID,
            "msgId": f"msg{uuid.uuid4().hex}",
            "senderNick": nick,
            "isAdmin": False,
            "senderStaffId": staff_id,
            "sessionWebhookExpiredTime": now_ms + 5_400_000,
            "createAt": now_ms,
            "senderCorpId": "dingcorp",
            "conversationType": "1" if dm else "2",
            "senderId": f"$:LWCP_v1:${staff_id}",
            "isInAtList": not dm,
            "sessionWebhook": f"{self.api_url}/robot/sendBySession?session={conversation}",
            "text": {"content": text},
            "robotCode": ROBOT_CODE,
            "msgtype": "text",
        }

    # -- waiting -----------------------------------------------------------
    def wait(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = condition()
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError("the fake DingTalk waited in vain")

    def posts_to(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def wait_posts(self, path: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        self.wait(lambda: len([p for p in self.posts if p["path"] == path]) >= count, timeout)
        return self.posts_to(path)

    # -- HTTP --------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None):  # noqa: ANN202
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                url = urlparse(self.path)
                if url.path in ROBOT_PATHS:
                    with fake.lock:
                        fake.sizes.append(length)
                    if length > MAX_ROBOT_BYTES:  # as DingTalk: errcode 460101
                        self._answer(200, {"errcode": 460101, "errmsg": "message too long"})
                        return
                status, answer, headers = fake.route(url.path, url.query, body, self.headers)
                self._answer(status, answer, headers)

        return Handler

    def route(self, path: str, query: str, body: dict[str, Any], headers: Any) -> tuple:
        if path == "/v1.0/gateway/connections/open":
            if (body.get("clientId"), body.get("clientSecret")) != (CLIENT_ID, CLIENT_SECRET):
                return 401, {"code": "InvalidClient"}, None
            ticket = uuid.uuid4().hex
            with self.lock:
                self.gateway_opens.append(body)
                self.tickets.add(ticket)
            return (
                200,
                {"endpoint": f"ws://127.0.0.1:{self.ws_port}/connect", "ticket": ticket},
                None,
            )
        if path == "/v1.0/oauth2/accessToken":
            if (body.get("appKey"), body.get("appSecret")) != (CLIENT_ID, CLIENT_SECRET):
                return 400, {"code": "invalidClientIdOrSecret"}, None
            token = f"tok-{len(self.tokens) + 1}"
            with self.lock:
                self.tokens[token] = time.time() + self.token_lifetime
            return 200, {"accessToken": token, "expireIn": self.token_lifetime}, None
        if path == "/robot/sendBySession":
            session = parse_qs(query).get("session", [""])[0]
            time.sleep(self.webhook_delay.get(session, 0))
            with self.lock:
                errcode = self.webhook_errors.pop(0) if self.webhook_errors else 0
                if not errcode:
                    self.posts.append({"path": path, "session": session, "body": body})
            return 200, {"errcode": errcode, "errmsg": "send too fast" if errcode else "ok"}, None
        if path in ("/v1.0/robot/groupMessages/send", "/v1.0/robot/oToMessages/batchSend"):
            token = headers.get("x-acs-dingtalk-access-token", "")
            with self.lock:
                if self.tokens.get(token, 0) < time.time():
                    self.rejected_tokens.append(token)
                    return 401, {"code": "InvalidAuthentication", "message": "bad token"}, None
                if self.throttle:
                    return self.throttle.pop(0)
                self.posts.append({"path": path, "token": token, "body": body})
            if path.endswith("batchSend"):
                return 200, {"processQueryKey": "q", "invalidStaffIdList": []}, None
            return 200, {"processQueryKey": "q"}, None
        return 404, {"code": "NotFound"}, None

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens = {t: 0.0 for t in self.tokens}
