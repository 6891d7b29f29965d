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


def test_the_memory_figures_the_benchmarks_printed_are_gathered_and_checked() -> None:
    log = [
        "\n=== P1 serving (load average 0.6 0.7 1.5 at start)",
        "req/s ...\nanswers: 1000 of 1000; P5 peak resident memory of `taskforce run`: 119 MB",
        "--- 44 s, exit 0, peak resident memory 308 MB, load average 1.0 at end",
        "\n=== P3 ticks (load average 1.0 at start)",
        "P5 peak resident memory of the ticking process: 171 MB (after the floor: 487 MB)",
        "\n=== P4 replicas (load average 2.0 at start)",
        "slack by 2 replicas\n  P5 peak resident memory of each `taskforce run`: 149, 152 MB",
    ]
    lines = memory_summary(log)
    assert len(lines) == 4  # the heading and the three P5 lines, not the step's own 308 MB
    assert lines[1].startswith("ok") and "P1 serving" in lines[1] and "119 MB" in lines[1]
    assert lines[2].startswith("OVER") and "P3 ticks" in lines[2]
    assert lines[3].startswith("OVER") and "P4 replicas" in lines[3]  # the larger of the two
