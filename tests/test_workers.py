"""The worker pool (bot/workers.py): forked processes doing what the serving process
hands over, at a lower CPU priority, counted in the serving process's metrics."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot import metrics
from bot.workers import NICE, WorkerPool


def _writer(folder: Path):  # noqa: ANN202
    """A setup whose handle writes one file an item: its pid, and its priority."""

    def setup(index: int):  # noqa: ANN202
        def handle(item: tuple[str, float]) -> None:
            name, pause = item
            if name.startswith("fail"):
                raise RuntimeError("this item fails")
            time.sleep(pause)
            (folder / name).write_text(f"{os.getpid()} {os.nice(0)}")

        return handle

    return setup


def _until(check, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def pool(tmp_path: Path):  # noqa: ANN201
    started = WorkerPool(_writer(tmp_path), processes=2, threads=2).start()
    yield started
    started.stop(timeout=5)


def test_items_are_handled_in_other_processes_at_a_lower_priority(
    pool: WorkerPool, tmp_path: Path
) -> None:
    for n in range(10):
        pool.submit((f"item-{n}", 0.0))
    _until(lambda: len(list(tmp_path.iterdir())) == 10)
    written = [f.read_text().split() for f in tmp_path.iterdir()]
    pids = {int(pid) for pid, _ in written}
    assert os.getpid() not in pids and pids <= set(pool.pids())
    assert {int(nice) for _, nice in written} == {min(19, os.nice(0) + NICE)}  # 19: the least
    assert pool.alive() == (2, 2)


def test_a_failing_item_does_not_stop_its_worker(pool: WorkerPool, tmp_path: Path) -> None:
    for n in range(4):
        pool.submit((f"fail-{n}", 0.0))
    pool.submit(("after", 0.0))
    _until(lambda: (tmp_path / "after").exists())
    assert pool.alive() == (2, 2)


def test_stop_finishes_what_was_handed_over(tmp_path: Path) -> None:
    started = WorkerPool(_writer(tmp_path), processes=1, threads=2).start()
    for n in range(6):
        started.submit((f"slow-{n}", 0.2))
    started.stop(timeout=10)
    assert sorted(f.name for f in tmp_path.iterdir()) == [f"slow-{n}" for n in range(6)]
    assert started.alive() == (0, 1)


def test_a_workers_commands_and_jobs_are_counted_by_the_serving_process(tmp_path: Path) -> None:
    def setup(index: int):  # noqa: ANN202
        def handle(item: str) -> None:
            metrics.command_done("worker test", item, 0.01)
            metrics.job_done("worker job", 0.25)  # the first worker runs the scheduler

        return handle

    counted = metrics.COMMANDS.labels(command="worker test", outcome="ok")
    timed = metrics.JOB_SECONDS.labels(job="worker job")
    before, before_jobs = counted._value.get(), timed._sum.get()
    started = WorkerPool(setup, processes=1, threads=1).start()
    try:
        for _ in range(3):
            started.submit("ok")
        _until(lambda: counted._value.get() == before + 3)
        _until(lambda: timed._sum.get() == before_jobs + 0.75)
    finally:
        started.stop(timeout=5)


def test_workers_end_when_the_serving_process_is_gone(tmp_path: Path) -> None:
    """A serving process killed outright (no stop) leaves no worker behind."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the "serving process": starts a pool, reports its pid, is killed
        os.close(read)
        started = WorkerPool(_writer(tmp_path), processes=1, threads=1).start()
        os.write(write, str(started.pids()[0]).encode())
        time.sleep(60)
        os._exit(0)
    os.close(write)
    worker = int(os.read(read, 32))
    os.kill(child, 9)
    os.waitpid(child, 0)
    _until(lambda: not _running(worker), timeout=10)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
