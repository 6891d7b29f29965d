"""Worker processes: the work a serving process acknowledged, done where it cannot hold
the next acknowledgement up.

A serving process must answer the platform at once (Slack: within 3 s) and then do the
command's work. In one process both share one interpreter lock: under 50 concurrent
commands the work held acknowledgements up by hundreds of milliseconds (P1 in
benchmarks/RESULTS.md). A `WorkerPool` forks its processes at start-up, before any
thread starts, so they share the warmed-up interpreter's pages; the serving process
hands each acknowledged request over a queue (`submit` never blocks), and the workers,
at a lower CPU priority, do the work. What the work measures (bot/metrics.py) comes
back to the serving process, whose `/metrics` still counts every command.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any

from bot import metrics

log = logging.getLogger(__name__)
Handle = Callable[[Any], None]
Setup = Callable[[int], Handle]  # runs in each worker process (its index), after the fork
NICE = 10  # below the serving process: its acks come first when the CPUs are busy
POLL = 1.0  # seconds between a waiting worker's checks that its parent still runs


class WorkerPool:
    """`processes` forked workers of `threads` threads each, every one handling what
    `submit` hands over with the `Handle` that `setup(index)` built in its process."""

    def __init__(self, setup: Setup, processes: int = 1, threads: int = 4) -> None:
        self.setup = setup
        self.processes = processes
        self.threads = threads
        self._context = multiprocessing.get_context("fork")
        self._work: Any = self._context.Queue()
        self._measured: Any = self._context.Queue()
        self._children: list[Any] = []

    def start(self) -> WorkerPool:
        """Fork the workers: call before the serving process starts any thread."""
        for n in range(self.processes):
            child = self._context.Process(
                target=_worker,
                args=(self.setup, n, self._work, self._measured, self.threads, os.getpid()),
                name=f"taskforce-worker-{n + 1}",
                daemon=True,
            )
            child.start()
            self._children.append(child)
        threading.Thread(target=self._count, name="worker-metrics", daemon=True).start()
        log.info("%d worker process(es) of %d threads each", self.processes, self.threads)
        return self

    def submit(self, item: Any) -> None:
        """Hand `item` (picklable) to the next free worker thread; returns at once."""
        self._work.put(item)

    def alive(self) -> tuple[int, int]:
        """How many worker processes run, of how many started."""
        return sum(child.is_alive() for child in self._children), len(self._children)

    def pids(self) -> list[int]:
        return [child.pid for child in self._children if child.pid is not None]

    def stop(self, timeout: float = 15.0) -> None:
        """Let the workers finish what was handed over (up to `timeout`), then end them."""
        for _ in range(self.processes * self.threads):
            self._work.put(None)
        for child in self._children:
            child.join(timeout)
            if child.is_alive():
                log.warning("worker %s did not finish in %.0f s: ended", child.name, timeout)
                child.terminate()
                child.join(5)
        self._measured.put(None)

    def _count(self) -> None:
        """In the serving process: the workers' measurements into this process's metrics."""
        try:
            while (measured := self._measured.get()) is not None:
                what, figures = measured
                metrics.RECORDED[what](*figures)
        except (EOFError, OSError):  # the queue closed under it as this process ends
            return


def _worker(
    setup: Setup, index: int, work: Any, measured: Any, threads: int, parent: int
) -> None:
    """A worker process: `threads` threads taking items until told to stop, or orphaned."""
    os.nice(NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the pool in order
    metrics.forward_to(lambda what, figures: measured.put((what, figures)))
    handle = setup(index)
    loops = [
        threading.Thread(target=_take, args=(handle, work, parent), name=f"work-{n + 1}")
        for n in range(threads)
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()


def _take(handle: Handle, work: Any, parent: int) -> None:
    while True:
        try:
            item = work.get(timeout=POLL)
        except queue.Empty:
            if os.getppid() != parent:  # the serving process is gone: so are its requests
                return
            continue
        if item is None:
            return
        try:
            handle(item)
        except Exception:
            log.exception("a handed-over request failed")
