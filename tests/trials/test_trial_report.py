"""The trial report itself: what a trial says is kept for the run's summary."""

from __future__ import annotations

from trial_report import Trial


def test_a_trial_keeps_what_was_tried_and_what_held() -> None:
    record = Trial()
    record.tried("an empty body")
    record.held("answered 401")
    assert record.lines == ["  tried: an empty body", "  held:  answered 401"]
