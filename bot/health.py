"""The health port: `/healthz` (the database and the platform connection, as JSON;
200 when both are fine, else 503) and `/metrics` (Prometheus, bot/metrics.py).

Every server mode serves it with `taskforce run --health-port N`; Slack's HTTP mode also
answers `/healthz` on its own port. The adapter that runs says how to tell whether its
platform connection is up (`Health.link`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from waitress.server import create_server

from bot.metrics import REGISTRY
from storage import schema_version

log = logging.getLogger(__name__)
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


@dataclass
class Health:
    """What `/healthz` reports on: the database, and the link the adapter registered."""

    engine: Engine
    platform: str = "console"
    # True while the platform connection is up (Socket Mode / DingTalk stream websocket);
    # an HTTP-mode adapter is up while it serves
    link: Callable[[], bool] = field(default=lambda: True)
    # (running, started) worker processes (bot/workers.py), when the adapter has any
    workers: Callable[[], tuple[int, int]] | None = None
    # the newest revisions the code knows (storage.schema_version.migrate_apart); None:
    # asked of alembic on first use
    heads: frozenset[str] | None = None

    def expected(self) -> frozenset[str]:
        if self.heads is None:
            from storage.migrate import heads  # alembic: only where the start did not say

            self.heads = frozenset(heads(self.engine.url.render_as_string(hide_password=False)))
        return self.heads

    def database(self) -> dict[str, Any]:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current, heads = schema_version.current(self.engine), self.expected()
        except Exception as error:
            return {"ok": False, "error": type(error).__name__}
        migrated = current == heads
        detail = {"ok": migrated, "revision": ",".join(sorted(current)) or None}
        if not migrated:
            detail["expected"] = ",".join(sorted(heads))
        return detail

    def report(self) -> dict[str, Any]:
        database = self.database()
        try:
            connected = bool(self.link())
        except Exception:
            connected = False
        platform = {"name": self.platform, "ok": connected}
        report = {"ok": database["ok"] and connected, "database": database, "platform": platform}
        if self.workers is not None:
            running, started = self.workers()
            report["workers"] = {"ok": running == started, "running": running, "of": started}
            report["ok"] = report["ok"] and running == started
        return report


def answer(health: Health, method: str, path: str) -> tuple[str, str, bytes]:
    """The status line, content type and body for a request to the health port."""
    if path == METRICS_PATH:
        return "200 OK", CONTENT_TYPE_LATEST, generate_latest(REGISTRY)
    if path != HEALTH_PATH or method not in ("GET", "HEAD"):
        return "404 Not Found", "text/plain", b"not found"
    report = health.report()
    status = "200 OK" if report["ok"] else "503 Service Unavailable"
    return status, "application/json", json.dumps(report).encode()


def wsgi(health: Health) -> Callable[..., Iterable[bytes]]:
    """`/healthz` and `/metrics`; anything else 404."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        status, content_type, body = answer(health, method, path)
        start_response(status, [("Content-Type", content_type)])
        return [body]

    return serve


class HealthServer:
    """The health port on a thread of its own (`port=0` picks a free one)."""

    def __init__(self, health: Health, host: str = "0.0.0.0", port: int = 0) -> None:
        self.server = create_server(wsgi(health), host=host, port=port, threads=2)
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="health", daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:  # `stop` closed the socket while the loop was in select()
            if not self._closing:
                raise

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health and metrics on port %d (%s, %s)", self.port, HEALTH_PATH, METRICS_PATH)
        return self

    def stop(self) -> None:
        self._closing = True
        self.server.close()
        self.server.task_dispatcher.shutdown()
        self._thread.join(timeout=5)
