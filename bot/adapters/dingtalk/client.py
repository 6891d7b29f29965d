"""The stream connection: dingtalk-stream's client with our endpoint and our loop.

What we keep from the SDK: credentials, handler registration, frame parsing,
routing and acks (`route_message`). What we replace, and why:

- `open_connection` posts to `DINGTALK_API_URL` (the SDK's URL is a class
  constant fixed at import) with a timeout, off the event loop.
- `get_access_token` uses our thread-safe token cache on the same URL.
- `start` is our reconnect loop. The SDK's swallows `CancelledError` (so it
  cannot be stopped with one cancel), waits a fixed 10 s after a dropped
  socket and opens connections with blocking `requests` on the event loop.
  Ours reconnects after `min_delay`, doubles the wait while the gateway keeps
  failing (up to `max_delay`), and lets cancellation through.

websockets 17 loads `websockets.exceptions` lazily and the SDK names it in an
`except` clause without importing it; the import below makes that name exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
import platform
from typing import Any
from urllib.parse import quote_plus

import requests
import websockets
import websockets.exceptions  # noqa: F401  (see the module docstring)
from dingtalk_stream import Credential, DingTalkStreamClient
from dingtalk_stream.version import VERSION_STRING
from websockets.protocol import State

from bot.adapters.dingtalk.config import DingTalkConfig
from bot.adapters.dingtalk.openapi import OpenApi

log = logging.getLogger(__name__)
GATEWAY_PATH = "/v1.0/gateway/connections/open"


class StreamClient(DingTalkStreamClient):
    def __init__(
        self, config: DingTalkConfig, api: OpenApi, *, min_delay: float = 1.0, max_delay=30.0
    ) -> None:
        super().__init__(Credential(config.client_id, config.client_secret), logger=log)
        self.gateway_url = config.url(GATEWAY_PATH)
        self.api = api
        self.min_delay, self.max_delay = min_delay, max_delay
        self.connections = 0  # successful websocket connections so far
        self.stopping = False  # set by the adapter before it closes the stream itself
        self._tasks: set[asyncio.Task[Any]] = set()

    def open_connection(self) -> dict[str, Any] | None:
        subscriptions = [{"type": "CALLBACK", "topic": t} for t in self.callback_handler_map]
        if self._is_event_required:
            subscriptions.append({"type": "EVENT", "topic": "*"})
        body = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "subscriptions": subscriptions,
            "ua": f"taskforce dingtalk-stream/{VERSION_STRING} python/{platform.python_version()}",
            "localIp": self.get_host_ip(),
        }
        try:
            response = requests.post(self.gateway_url, json=body, timeout=10)
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("opening a stream connection at %s failed: %s", self.gateway_url, error)
            return None
        if not (isinstance(answer, dict) and answer.get("endpoint") and answer.get("ticket")):
            log.warning("the gateway answered without endpoint/ticket: %.200s", answer)
            return None
        return answer

    def get_access_token(self) -> str | None:
        try:
            return self.api.token()
        except Exception as error:  # the SDK's helpers expect None on failure
            log.error("no DingTalk access token: %s", error)
            return None

    def reset_access_token(self) -> None:
        self.api.invalidate()

    async def start(self) -> None:
        self.pre_start()
        delay = self.min_delay
        while True:
            connected = False
            connection = await asyncio.to_thread(self.open_connection)
            if connection:
                uri = f"{connection['endpoint']}?ticket={quote_plus(str(connection['ticket']))}"
                try:
                    async with websockets.connect(uri, open_timeout=10, max_size=None) as ws:
                        self.websocket, connected = ws, True
                        self.connections += 1
                        log.info("connected to the DingTalk stream (%d)", self.connections)
                        async for raw in ws:
                            self._spawn(self._frame(raw))
                    if not self.stopping:
                        log.warning("the gateway closed the stream; reconnecting")
                except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
                    log.warning("the stream dropped: %s", error)
            # right away after a working connection; slower and slower while none works
            wait = self.min_delay if connected else delay
            delay = self.min_delay if connected else min(delay * 2, self.max_delay)
            await asyncio.sleep(wait)

    def is_connected(self) -> bool:
        """Whether the stream's websocket is open now (the health port reports it)."""
        return self.websocket is not None and self.websocket.state is State.OPEN

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _frame(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
            if await self.route_message(frame) == self.TAG_DISCONNECT and self.websocket:
                await self.websocket.close()  # the gateway asked us to move on: reconnect
        except Exception:
            log.exception("a stream frame could not be handled: %.200r", raw)
