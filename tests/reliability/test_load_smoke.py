"""A short run of the load benchmark: under concurrency and injected faults, every request is answered
and none is a 500. Wall-clock figures are printed by `python -m bench.load`, never asserted here."""

from __future__ import annotations

from bench.load import run


def test_every_request_answered_and_no_500s() -> None:
    report = run(requests=200, concurrency=50, fault_rate=0.05, timeout_s=60.0)
    assert report.injected_faults > 0  # the faults really happened
    assert sum(report.outcomes.values()) == 200
    assert not report.unanswered, report.unanswered
    assert report.server_errors_500 == 0, report.outcomes
