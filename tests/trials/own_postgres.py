"""A throw-away PostgreSQL server of a trial's own (initdb + pg_ctl on a free port), so a
trial may restart it; never the shared server. Skips when no server binaries are found."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnPostgres:
    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.data = root / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:  # initdb refuses root: run the server as `postgres`
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"),
            "-o", options, "-w", action, *extra,
        )

    def start(self) -> None:
        self._run(_bin("initdb") or "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.pg_ctl("start")

    def restart(self) -> None:
        """A fast restart: the sessions are cut, the server is back within seconds."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    root = Path(tempfile.mkdtemp(prefix="tf-trial-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    server = OwnPostgres(root, _free_port())
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
