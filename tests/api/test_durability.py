"""Nothing lost, nothing doubled: the API under DynamoDB's failure modes (tests/fault_harness.py).

Throttles, writes applied whose response is lost (500), and calls whose every retry fails, at 20% of
DynamoDB calls; each submission retried with its Idempotency-Key until it succeeds. `make bench`
runs the same flows at a larger size and prints the figures (bench/durability.py).
"""

from __future__ import annotations

import pytest

from chalicelib import clock
from tests.fault_harness import FaultInjector, run_flows

NOW = "2026-11-20T16:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setenv("FIELDDESK_IDEMPOTENCY_IN_PROGRESS_SECONDS", "0")
    from chalicelib.config import reset_settings

    reset_settings()
    with clock.freeze(NOW):
        yield
    reset_settings()


def test_under_injected_faults_no_write_is_lost_or_doubled_and_every_answer_is_retryable_or_success(api):
    faults = FaultInjector(rate=0.2, seed=14)
    figures = run_flows(api, faults, size=4)
    assert faults.counts["applied_500"] and faults.counts["throttle"] and faults.counts["exhausted_attempt"]
    assert set(figures.submissions) == {"visits", "penalties", "prospects", "attempts", "claims"}
    assert sum(figures.lost.values()) == 0, figures.lost
    assert sum(figures.duplicated.values()) == 0, figures.duplicated
    assert figures.bad_answers == [], figures.bad_answers
    assert sum(figures.gave_up.values()) == 0, figures.gave_up
