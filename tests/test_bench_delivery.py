"""P4's smoke mode: the delivery benchmark runs end to end on a few projects against the
rate-limited fakes (no claims on time): everything queued arrives, once."""

from __future__ import annotations

from benchmarks.delivery import main


def test_delivery_benchmark_smoke_delivers_everything_once() -> None:
    results = main(["--smoke"])
    assert [r.platform for r in results] == ["slack", "dingtalk"]
    for result in results:
        assert sum(result.queued.values()) > 0 and result.queued["digest"] >= 1
        assert result.sent == sum(result.queued.values())
        assert result.lost == 0 and result.doubled == 0


def test_delivery_benchmark_smoke_through_two_taskforce_run_replicas() -> None:
    [result] = main(["--smoke", "--platform", "slack", "--replicas", "2"])
    assert result.replicas == 2 and len(result.peaks_mb) == 2
    assert all(mb > 0 for mb in result.peaks_mb)
    assert result.sent == sum(result.queued.values()) > 0
    assert result.lost == 0 and result.doubled == 0
