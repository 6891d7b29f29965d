"""The ack-during-sweep benchmark's smoke mode runs end to end (no timing asserts: CI
machines vary; the figures are in benchmarks/RESULTS.md)."""

from benchmarks.ack_during_sweep import main


def test_ack_benchmark_smoke_mode_acks_and_answers_every_command() -> None:
    rows = main(["--smoke"])
    assert [r.name for r in rows] == [
        "idle, sequential",
        "Friday tick, sequential",
        "idle, 4 concurrent",
        "Friday tick, 4 concurrent",
    ]
    for row in rows:
        assert row.requests > 0 and len(row.acks) == row.requests
        assert row.lost == 0 and row.errors == 0, row  # every command answered (or "busy")
        assert len(row.answers) == row.requests
    assert all(r.tick is not None for r in rows if r.name.startswith("Friday"))
