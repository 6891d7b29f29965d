"""Real server processes for the benchmarks: `taskforce run --platform slack` (HTTP mode)
as an operator starts it, configured by its environment only, and its peak resident
memory (P5: VmHWM from /proc/<pid>/status, read just before it is stopped).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.slack_fake import BOT_TOKEN, SECRET

ROOT = Path(__file__).resolve().parent.parent  # for `python -m benchmarks.…` from elsewhere
TASKFORCE = str(Path(sys.executable).with_name("taskforce"))  # the installed console script
READY_WAIT = 180.0  # seconds a server may take to migrate, catch up and listen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MB (0: not readable)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slack_env(database_url: str, slack_api_url: str, now: str | None = None) -> dict[str, str]:
    """The environment of a Slack HTTP-mode server on `database_url` whose Web API is
    `slack_api_url`; `now` pins its clock (TASKFORCE_NOW)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DINGTALK_", "TASKFORCE_"))}
    env |= {
        "TASKFORCE_DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_api_url,
        "PYTHONPATH": str(ROOT),
    }
    if now:
        env["TASKFORCE_NOW"] = now
    return env


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def private_mb(pid: int) -> float:
    """What the process holds alone now (Private_Clean + Private_Dirty of smaps_rollup):
    a forked worker's pages still shared with its parent are not counted twice."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    kb = sum(int(line.split()[1]) for line in rollup.splitlines()
             if line.startswith(("Private_Clean:", "Private_Dirty:")))
    return kb / 1024


@dataclass
class Server:
    """A server process listening on `port`; its output goes to `log`."""

    process: subprocess.Popen
    port: int
    log: Path
    peak_mb: float = 0.0  # the serving process's peak resident memory
    workers_mb: float = 0.0  # what its worker processes hold alone, at the end

    def wait_ready(self, timeout: float = READY_WAIT) -> Server:
        """Until it answers GET /healthz on its HTTP port (any HTTP answer: it listens)."""
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text()[-2000:] if self.log.exists() else ""

    def stop(self) -> float:
        """Its peak memory (read first), then SIGTERM; the peak in MB of the serving process
        (`workers_mb`: what its workers hold beyond what they share with it)."""
        self.peak_mb = peak_rss_mb(self.process.pid)
        self.workers_mb = sum(private_mb(pid) for pid in children(self.process.pid))
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.peak_mb


def start(command: list[str], env: dict[str, str], folder: Path, name: str) -> Server:
    """`command` (its `{port}` filled with a free port) in `folder`, output to a log there."""
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [part.format(port=port) for part in command],
            env=env, cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )
    return Server(process, port, log)


def taskforce_run(env: dict[str, str], folder: Path, name: str) -> Server:
    """`taskforce run --platform slack` in HTTP mode on a free port."""
    return start([TASKFORCE, "run", "--platform", "slack", "--port", "{port}"], env, folder, name)
