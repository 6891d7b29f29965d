"""Logging: plain lines, or JSON lines (`TASKFORCE_LOG_FORMAT=json`), each carrying the
request id of the command or job run it belongs to.

A command's request id is also stored on the outbox rows it queued
(`outbox.request_id`), so one id follows a command from its log lines to what it sent.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

REQUEST_ID: ContextVar[str | None] = ContextVar("taskforce_request_id", default=None)
PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
FORMATS = ("text", "json")
HANDLER_NAME = "taskforce"


def current_request_id() -> str | None:
    return REQUEST_ID.get()


@contextmanager
def request_scope(prefix: str = "req") -> Iterator[str]:
    """A new request id for what runs inside (or the enclosing one, when already set:
    an adapter that started the id at its edge keeps it)."""
    existing = REQUEST_ID.get()
    if existing is not None:
        yield existing
        return
    token = REQUEST_ID.set(f"{prefix}-{uuid.uuid4().hex[:12]}")
    try:
        yield REQUEST_ID.get() or ""
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def setup_logging(
    level: int = logging.WARNING, fmt: str = "text", stream: TextIO | None = None
) -> None:
    """The root logger's one handler on `stream` (stderr), in `fmt` (text or json)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(PLAIN))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)  # ours from an earlier call; others' handlers stay
    root.addHandler(handler)
    root.setLevel(level)
