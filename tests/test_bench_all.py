"""`make bench` writes its run into RESULTS.md between markers and keeps the write-up."""

from __future__ import annotations

from benchmarks.all import END, START, memory_summary, splice


def test_a_first_run_adds_the_section_after_the_title_and_keeps_the_rest() -> None:
    document = "# Benchmark results\n\nWrite-up of a fix, before and after.\n"
    written = splice(document, "P1 ... 1.1x\n")
    assert written.startswith("# Benchmark results\n\n" + START)
    assert "```\nP1 ... 1.1x\n```" in written
    assert written.endswith("Write-up of a fix, before and after.\n")


def test_a_later_run_replaces_only_the_previous_run() -> None:
    once = splice("# Results\n\nkept above\n", "first run")
    twice = splice(once, "second run")
    assert "second run" in twice and "first run" not in twice
    assert twice.count(START) == 1 and twice.count(END) == 1
    assert "kept above" in twice


def test_memory_above_the_goal_is_marked() -> None:
    lines = memory_summary([("P1", 120.0), ("P3", 171.4)])
    assert "ok" in lines[1] and "P1" in lines[1]
    assert "OVER" in lines[2] and "171 MB" in lines[2]
