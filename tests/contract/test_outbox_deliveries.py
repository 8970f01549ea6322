"""One contract for `OutboxDeliveries` (where the outbox's handlers write), on DynamoDB (moto) and in memory."""

from __future__ import annotations

import pytest

from chalicelib.storage.memory.outbox import MemoryOutboxDeliveries
from chalicelib.wiring.outbox import Deliveries

FLAG = {
    "flag_id": "overdue.P1",
    "branch_id": "br-pudong",
    "staff_id": "cm-001",
    "created_at": "2026-11-20T10:00:00+08:00",
    "kind": "penalty_overdue",
}


@pytest.fixture(params=["memory", "dynamodb"])
def sink(request):
    return MemoryOutboxDeliveries() if request.param == "memory" else Deliveries()


def test_a_flag_is_raised_once_however_often_delivered(sink):
    assert sink.put_penalty_flag(FLAG) is True
    assert sink.put_penalty_flag({**FLAG, "kind": "again"}) is False
    assert sink.put_penalty_flag({**FLAG, "flag_id": "overdue.P2"}) is True


def test_a_missing_penalty_reads_as_none(sink):
    assert sink.penalty("P-none") is None


def test_an_escalation_notice_is_sent(sink):
    sink.notify_escalation("reveal_budget_exhausted", {"branch_id": "br-pudong", "staff_id": "cm-001"})
