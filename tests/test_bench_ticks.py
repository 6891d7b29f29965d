"""P2's and P3's smoke runs: the commands and the ticks benchmarks run end to end at a tiny
size (no timing asserted: CI machines vary; the figures are in benchmarks/RESULTS.md)."""

from __future__ import annotations

from sqlalchemy import func, select

from benchmarks import run, ticks
from storage.engine import make_engine
from storage.models import ActionItem


def test_ticks_benchmark_posts_every_digest_and_grows_the_closed_history() -> None:
    results = ticks.main(["--projects", "3", "--closed-factor", "2"])
    base, grown = results["closed ×1"], results["closed ×2"]
    assert base.friday_msgs == grown.friday_msgs == 3  # one digest per project, delivered
    assert base.items == 300 and grown.items == 300 + 3 * 60  # 60 more closed per project
    assert base.floor_s > 0 and base.quiet_s > 0


def test_commands_benchmark_runs_every_command_on_both_sizes() -> None:
    small, full = run.main(["--projects", "5", "--repeat", "2", "--rounds", "2"])
    assert list(small) == list(full) == [text for text, _ in run.COMMANDS]
    assert all(p50 <= p99 for p50, p99 in [*small.values(), *full.values()])


def test_commands_benchmark_measures_each_round_in_a_fresh_process_on_a_fresh_copy(
        tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/bench.db"
    ticks.seed(url, 4)
    rounds, _ = run.measure(url, url, rounds=2, repeat=3)
    assert len(rounds) == 2 and all(len(found[text]) == 3 for found in rounds
                                    for text, _ in run.COMMANDS)
    engine = make_engine(url)
    with engine.connect() as conn:  # the rounds' `action add`s went to their copies
        assert conn.scalar(select(func.count()).where(ActionItem.title == "bench item")) == 0
    engine.dispose()
    assert not list(tmp_path.glob("bench-*.db"))  # and the copies are gone
    assert run.p50_p99([0.003, 0.001, 0.002]) == (0.002, 0.003)
    small = [{"x": [1.0, 3.0]}, {"x": [1.0]}, {"x": [2.0]}]  # each round's own p50 and ratio
    assert run.ratios(small, [{"x": [4.0]}, {"x": [1.1]}, {"x": [2.0]}], "x") == [2.0, 1.1, 1.0]
