"""The jobs benchmark's smoke run: every job alone on both sizes (no timing asserted)."""

from __future__ import annotations

from benchmarks import jobs
from bot.jobs.registry import JOBS


def test_jobs_benchmark_runs_every_job_on_both_sizes() -> None:
    results = jobs.main(["--projects", "3", "--items", "10"])
    assert list(results) == list(JOBS)
    small, full = results["morning"]
    assert len(small.queued) == 20 and len(full.queued) == 3  # every project has overdue work
    assert all(s.statements > 0 and f.statements > 0 for s, f in results.values())
