"""Serving the Bolt app: HTTP on waitress, or Socket Mode when SLACK_APP_TOKEN is set.

HTTP mode is Bolt's WSGI adapter behind waitress, a threaded production WSGI
server (Bolt's own `app.start()` is a single-threaded development server), with
the edge (edge.py) in front: it answers GET /healthz for load balancers itself,
and lets through to Bolt only signed, well-formed POSTs to /slack/events. Socket Mode
opens an outbound websocket (`apps.connections.open`), for workspaces whose
bot cannot be reached from the internet.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.adapters.slack.app import build_app
from bot.adapters.slack.edge import MAX_BODY, PATH, Edge
from bot.health import HEALTH_PATH, METRICS_PATH, Health, wsgi
from bot.runtime import Runtime

log = logging.getLogger(__name__)
THREADS = 16


def wsgi_app(
    app: App, signing_secret: str, health: Health | None = None
) -> Callable[..., Iterable[bytes]]:
    """Bolt behind the edge checks; `/healthz` and `/metrics` from `health` when given."""
    edge = Edge(SlackRequestHandler(app, path=PATH), signing_secret)
    if health is None:
        return edge
    report = wsgi(health)

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") in (
            HEALTH_PATH,
            METRICS_PATH,
        ):
            return report(environ, start_response)
        return edge(environ, start_response)

    return serve


class HttpServing:
    """waitress serving the app; `port=0` picks a free port (see `.port`)."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str = "0.0.0.0",
        port: int = 3000,
        threads: int = THREADS,
        health: Health | None = None,
    ) -> None:
        self.server = create_server(
            wsgi_app(app, signing_secret, health),
            host=host,
            port=port,
            threads=threads,
            ident="taskforce",
            # waitress refuses a larger Content-Length before reading the body (its
            # check is "at least", hence the one byte more)
            max_request_body_size=MAX_BODY + 1,
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def run(self) -> None:
        print(f"Slack HTTP mode: listening on port {self.port}, path {PATH}", file=sys.stderr)
        self.server.run()

    def start(self) -> HttpServing:
        self._thread = threading.Thread(target=self.server.run, name="slack-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.close()
        self.server.task_dispatcher.shutdown()
        if self._thread:
            self._thread.join(timeout=5)


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """Bolt's built-in Socket Mode client (no extra dependency; ws:// for local tests)."""
    return SocketModeHandler(app, app_token=app_token, concurrency=THREADS)


def socket_mode_for(runtime: Runtime, app: App) -> SocketModeHandler:
    """Socket Mode for `runtime`, its websocket reported on the health port."""
    handler = socket_mode(app, str(runtime.settings.slack_app_token))
    runtime.health.platform = "slack-socket-mode"
    runtime.health.link = handler.client.is_connected
    return handler


def run_slack(runtime: Runtime, port: int = 3000) -> None:
    """Run the Slack adapter until interrupted: Socket Mode if SLACK_APP_TOKEN, else HTTP."""
    settings = runtime.settings
    app = build_app(runtime)
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
