"""Side effects through the outbox: recorded with the change, delivered until delivered, state visible."""

from __future__ import annotations

import pytest
from botocore.client import BaseClient

from chalicelib import clock

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _flag_puts_fail(monkeypatch):
    original = BaseClient._make_api_call

    def flag_write_fails(self, operation, params):
        if operation == "PutItem" and params.get("Item", {}).get("pk", {}).get("S", "").startswith("FLAG#"):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", flag_write_fails)
    return lambda: monkeypatch.setattr(BaseClient, "_make_api_call", original)


def test_a_false_claim_flag_is_written_by_the_penaltys_own_transaction(api, monkeypatch):
    # Issue 18 §4: the escalation flags are items of the penalty's transaction (from the month ledger),
    # so no later write can lose them and the entry needs no outbox delivery.
    from chalicelib.storage import penalties as repo

    _flag_puts_fail(monkeypatch)
    body = {
        "manager_id": "cm-001",
        "rule_code": "FALSE_CLAIM",
        "breach_date": "2026-11-18",
        "evidence_note": "虚报开户",
    }
    status, penalty = api.post("/v1/penalties", body, as_="sup-001")
    assert status == 201, penalty
    assert repo.get_flag(f"FALSE_CLAIM.{penalty['penalty_id']}")["kind"] == "false_claim"


def test_an_overdue_flag_lost_at_the_sweep_is_delivered_by_the_next_and_the_entry_shows_it(api, monkeypatch):
    from chalicelib.domain import outbox, penalties
    from chalicelib.domain.outbox_handlers import PENALTY_OVERDUE_FLAG
    from chalicelib.jobs import sweeps
    from chalicelib.storage import outbox as outbox_repo
    from chalicelib.storage import penalties as repo

    with clock.freeze("2026-11-01T09:00:00+08:00"):
        status, penalty = api.post(
            "/v1/penalties",
            {"manager_id": "cm-001", "rule_code": "LATE", "breach_date": "2026-11-01", "evidence_note": "巡查"},
            as_="sup-001",
        )
    assert status == 201 and penalty["due_on"] == "2026-11-15"
    restore = _flag_puts_fail(monkeypatch)
    with clock.freeze("2026-11-16T01:10:00+08:00"):
        assert penalties.sweep_overdue()["flagged"] == [penalty["penalty_id"]]
    flag_id = f"OVERDUE.{penalty['penalty_id']}"
    assert repo.get_flag(flag_id) is None
    entry = outbox_repo.get(outbox.entry(PENALTY_OVERDUE_FLAG, penalty["penalty_id"], {})["entry_id"])
    assert entry["status"] == "pending" and entry["attempts"] == 1 and entry["last_error"] == "Unavailable"

    restore()
    with clock.freeze("2026-11-16T04:00:00+08:00"):  # past the backoff
        result = sweeps.run()
        assert result["outbox"]["delivered"] == 1
        assert repo.get_flag(flag_id) is not None
        entry = outbox_repo.get(entry["entry_id"])
        assert entry["status"] == "delivered" and entry["attempts"] == 2
        assert sweeps.run()["outbox"]["delivered"] == 0  # delivered once, not again
