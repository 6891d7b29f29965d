"""Every scheduled job is built from set queries: the statements it runs at a moment with
work in every project are as many for 40 projects as for 4, and every project still gets
its messages.

4 and 40 rather than 3 and 30: the seed gives every fourth project a meeting slot, every
fifth a rollout and every tenth a failed channel post, so both sizes hold each kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.copies import copy_of
from benchmarks.jobs import Run, prepared, run_job
from bot.jobs.registry import JOBS

FEW, MANY = 4, 40


def who_gets_messages(job: str, projects: int) -> set[int]:
    """The projects the seed gives work to `job` at its moment."""
    ids = range(1, projects + 1)
    share = {"meeting": 4, "rollout-review": 5, "unreachable": 10, "delivery_failing": 10}
    if job == "housekeeping":
        return set()  # it queues no messages
    if job in share:
        first = {"meeting": 0, "rollout-review": 2}.get(job, 1)
        return {p for p in ids if p % share[job] == first}
    return set(ids)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    folder = tmp_path_factory.mktemp("jobs-by-set")
    return {n: prepared(Path(folder), n, items=30) for n in (FEW, MANY)}


def run_on_copy(url: str, job: str) -> Run:
    with copy_of(url, 0) as copy:
        return run_job(copy, job)


@pytest.mark.parametrize("job", list(JOBS))
def test_the_job_runs_as_many_statements_for_many_projects_as_for_few(
    databases: dict[int, str], job: str
) -> None:
    few, many = run_on_copy(databases[FEW], job), run_on_copy(databases[MANY], job)
    assert set(few.queued) == who_gets_messages(job, FEW)
    assert set(many.queued) == who_gets_messages(job, MANY)
    assert many.statements == few.statements, (few.statements, many.statements)
