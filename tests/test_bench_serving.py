"""P1's smoke mode: `taskforce run --platform slack` and the Bolt floors, each a process
of its own, answer every signed `/tf` (no timing asserted: CI machines vary)."""

from __future__ import annotations

from benchmarks.slack_serving import main


def test_serving_benchmark_smoke_acks_and_answers_every_command() -> None:
    (rows,) = main(["--smoke"])  # one round
    assert [r.name.split(":")[0] for r in rows] == ["floor", "floor", "taskforce run"]
    for row in rows:
        assert row.requests == 40 and row.rps > 0 and row.median <= row.p99
        assert row.peak_mb > 0  # every server process's VmHWM was read before it stopped
    assert rows[-1].answered == 40  # the lists reached the fake Slack after the acks
    assert rows[-1].workers_mb > 0  # `taskforce run` has its worker process
