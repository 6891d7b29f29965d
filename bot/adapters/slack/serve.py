"""Serving the Bolt app: HTTP on aiohttp, or Socket Mode when SLACK_APP_TOKEN is set.

HTTP mode is aiohttp, with the edge (edge.py) in front: it answers GET /healthz
for load balancers itself, and lets through to Bolt only signed, well-formed POSTs
to /slack/events. (On waitress, a threaded WSGI server, 50 concurrent commands'
acks waited for threads and for each other: P1 in benchmarks/RESULTS.md.) Socket Mode
opens an outbound websocket (`apps.connections.open`), for workspaces whose
bot cannot be reached from the internet.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.adapters.slack.app import build_app
from bot.adapters.slack.edge import MAX_BODY, PATH, Edge
from bot.health import HEALTH_PATH, METRICS_PATH, Health, answer
from bot.runtime import Runtime
from bot.workers import WorkerPool

log = logging.getLogger(__name__)
THREADS = 16  # Socket Mode's listener threads
BACKLOG = 1024  # connections the kernel holds for the event loop to accept


class HttpServing:
    """aiohttp serving `app`: `/slack/events` through the edge into Bolt, `/healthz` and
    `/metrics` from `health` (or the edge's plain "ok"); `port=0` picks a free port.

    Bolt's ack path runs in the event loop itself: nothing before an ack waits (no
    database, no network; the work is a lazy listener, on a thread or in a worker process),
    so one thread serves every connection and no request waits for a thread."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str = "0.0.0.0",
        port: int = 3000,
        health: Health | None = None,
    ) -> None:
        self.bolt = app
        self.health = health
        self.edge = Edge(self._dispatch, signing_secret)
        self.socket = socket.create_server((host, port), backlog=BACKLOG)
        self._reports = ThreadPoolExecutor(2, thread_name_prefix="health")  # they read the database
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    def run(self) -> None:
        print(f"Slack HTTP mode: listening on port {self.port}, path {PATH}", file=sys.stderr)
        asyncio.run(self._serve())

    def start(self) -> HttpServing:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve(ready)), name="slack-http", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread:
            self._thread.join(timeout=5)
        self._reports.shutdown(wait=False)

    async def _serve(self, ready: threading.Event | None = None) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        webapp = web.Application(client_max_size=MAX_BODY)
        webapp.router.add_route("*", "/{path:.*}", self._route)
        runner = web.AppRunner(webapp, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, self.socket).start()
        if ready is not None:
            ready.set()
        try:
            await self._stopping.wait()
        finally:
            await runner.cleanup()

    async def _route(self, request: web.Request) -> web.StreamResponse:
        if (
            self.health is not None
            and request.method in ("GET", "HEAD")
            and request.path in (HEALTH_PATH, METRICS_PATH)
        ):
            loop = asyncio.get_running_loop()
            status, kind, body = await loop.run_in_executor(
                self._reports, answer, self.health, request.method, request.path
            )
            code, reason = status.split(" ", 1)
            return web.Response(status=int(code), reason=reason, body=body,
                                headers={"Content-Type": kind})
        return await self.edge(request)

    def _dispatch(self, request: web.Request, body: bytes) -> web.Response:
        """A checked request through Bolt, in the event loop: its ack only."""
        answered = self.bolt.dispatch(
            BoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),
            )
        )
        return web.Response(
            status=answered.status,
            body=answered.body.encode("utf-8"),
            headers=answered.first_headers_without_set_cookie(),
        )


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """Bolt's built-in Socket Mode client (no extra dependency; ws:// for local tests)."""
    return SocketModeHandler(app, app_token=app_token, concurrency=THREADS)


def socket_mode_for(runtime: Runtime, app: App) -> SocketModeHandler:
    """Socket Mode for `runtime`, its websocket reported on the health port."""
    handler = socket_mode(app, str(runtime.settings.slack_app_token))
    runtime.health.platform = "slack-socket-mode"
    runtime.health.link = handler.client.is_connected
    return handler


def run_slack(runtime: Runtime, port: int = 3000, pool: WorkerPool | None = None) -> None:
    """Run the Slack adapter until interrupted: Socket Mode if SLACK_APP_TOKEN, else HTTP;
    with `pool`, the work after each ack is done in its worker processes (handoff.py)."""
    settings = runtime.settings
    app = build_app(runtime, hand=None if pool is None else pool.submit)
    if settings.slack_app_token:
        print(f"Slack Socket Mode: connecting via {settings.slack_api_url}", file=sys.stderr)
        socket_mode_for(runtime, app).start()
        return
    if not settings.slack_signing_secret:
        raise ValueError(
            "SLACK_SIGNING_SECRET is not set (HTTP mode needs it; or set "
            "SLACK_APP_TOKEN for Socket Mode)"
        )
    runtime.health.platform = "slack-http"
    HttpServing(app, settings.slack_signing_secret, port=port, health=runtime.health).run()
