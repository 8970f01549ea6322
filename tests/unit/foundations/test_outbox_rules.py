"""The outbox's delivery rules on the in-memory repository: at least once, retried with backoff, never lost."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.domain import outbox
from chalicelib.domain.outbox_ports import OUTBOX
from chalicelib.errors import ConditionFailed, NotFound, ValidationFailed
from chalicelib.storage.memory.outbox import MemoryOutboxRepository

KIND = "test.kind"


@pytest.fixture
def repo():
    with OUTBOX.override(MemoryOutboxRepository()) as fake:
        yield fake


@pytest.fixture
def calls(monkeypatch):
    outbox._load_handlers()  # the real handlers stay registered for the rest of the session
    seen: list[dict] = []
    monkeypatch.setitem(outbox._HANDLERS, KIND, seen.append)
    return seen


def test_a_recorded_side_effect_is_delivered_once_by_the_sweep(repo, calls):
    op = outbox.record_op(KIND, "s1", {"n": 1})
    repo.commit(op)
    assert outbox.deliver_due() == {"delivered": 1, "failed": 0, "partial": False}
    assert calls == [{"n": 1}]
    assert outbox.view(op["memory_outbox_entry"]["entry_id"])["status"] == "delivered"
    assert outbox.deliver_due()["delivered"] == 0  # off the sweep


def test_the_same_kind_and_subject_is_one_entry(repo):
    repo.commit(outbox.record_op(KIND, "s1", {"n": 1}))
    with pytest.raises(ConditionFailed):  # a replayed cause: its transaction is cancelled, nothing doubled
        repo.commit(outbox.record_op(KIND, "s1", {"n": 2}))
    assert [e["payload"] for e in repo.entries.values()] == [{"n": 1}]
    assert outbox.entry(KIND, "s1", {})["entry_id"] != outbox.entry(KIND, "s2", {})["entry_id"]


def test_a_failing_handler_leaves_it_pending_with_backoff_and_the_error_class(repo, monkeypatch):
    outbox._load_handlers()

    def broken(payload: dict) -> None:
        raise TimeoutError("client 13812345678 unreachable")  # its text may carry client data

    monkeypatch.setitem(outbox._HANDLERS, KIND, broken)
    repo.commit(outbox.record_op(KIND, "s1", {}))
    entry_id = outbox.entry(KIND, "s1", {})["entry_id"]
    assert outbox.deliver_due() == {"delivered": 0, "failed": 1, "partial": False}
    stored = repo.get(entry_id)
    assert (stored["status"], stored["attempts"], stored["last_error"]) == ("pending", 1, "TimeoutError")
    assert stored["due_at"] > clock.iso(clock.now())  # backed off: not due again at once
    assert outbox.deliver_due()["failed"] == 0


def test_an_unknown_kind_is_a_failed_delivery_not_a_crash(repo):
    repo.commit(outbox.record_op("no.such.kind", "s1", {}))
    assert outbox.deliver_due()["failed"] == 1
    assert repo.get(outbox.entry("no.such.kind", "s1", {})["entry_id"])["last_error"] == "LookupError"


def test_the_sweep_stops_cleanly_when_time_runs_low(repo, calls):
    repo.commit(outbox.record_op(KIND, "s1", {}))
    assert outbox.deliver_due(time_left=lambda: 1.0) == {"delivered": 0, "failed": 0, "partial": True}
    assert calls == []


def test_deliver_now_and_the_operator_deliver_only_pending_entries(repo, calls):
    repo.commit(outbox.record_op(KIND, "s1", {"n": 1}))
    outbox.deliver_now(KIND, "s1")
    outbox.deliver_now(KIND, "missing")  # nothing recorded: nothing done
    entry_id = outbox.entry(KIND, "s1", {})["entry_id"]
    assert outbox.deliver_entry(entry_id)["status"] == "delivered"
    assert calls == [{"n": 1}]
    with pytest.raises(NotFound):
        outbox.view("nope")


def test_the_operator_list_checks_its_query(repo):
    repo.commit(outbox.record_op(KIND, "s1", {}))
    assert len(outbox.list_entries("pending").items) == 1
    assert outbox.list_entries("failing").items == []
    with pytest.raises(ValidationFailed, match="query.month"):
        outbox.list_entries("pending", month="2026-12")
    with pytest.raises(ValidationFailed, match="next_token"):
        outbox.list_entries("pending", start_key={"shards": [None]})


@pytest.fixture
def sink():
    from chalicelib.domain.outbox_ports import DELIVERIES
    from chalicelib.storage.memory.outbox import MemoryOutboxDeliveries

    with DELIVERIES.override(MemoryOutboxDeliveries()) as fake:
        yield fake


def test_handlers_deliver_idempotently_through_their_port(repo, sink):
    from chalicelib.domain.outbox_handlers import ESCALATION, PENALTY_ESCALATIONS, PENALTY_OVERDUE_FLAG

    flag = {"flag_id": "overdue.P1", "branch_id": "br-pudong", "staff_id": "cm-001"}
    repo.commit(outbox.record_op(PENALTY_OVERDUE_FLAG, "P1", {"flag": flag}))
    repo.commit(outbox.record_op(ESCALATION, "s1", {"kind": "problem_overdue", "record": {"problem_id": "x"}}))
    repo.commit(outbox.record_op(PENALTY_ESCALATIONS, "P-gone", {"penalty_id": "P-gone"}))
    assert outbox.deliver_due() == {"delivered": 3, "failed": 0, "partial": False}
    assert list(sink.flags) == ["overdue.P1"]
    assert sink.notices == [("problem_overdue", {"problem_id": "x"})]
    # a second delivery of the same flag entry is a no-op (the operator re-delivers a delivered one: left alone)
    assert outbox.deliver(repo.get(outbox.entry(PENALTY_OVERDUE_FLAG, "P1", {})["entry_id"])) is True
    assert list(sink.flags) == ["overdue.P1"]
