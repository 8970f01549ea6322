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


def test_a_false_claim_flag_lost_at_entry_is_delivered_by_the_sweep_and_the_entry_shows_it(api, monkeypatch):
    from chalicelib.domain import outbox
    from chalicelib.jobs import sweeps
    from chalicelib.storage import outbox as outbox_repo
    from chalicelib.storage import penalties as repo

    original = BaseClient._make_api_call

    def flag_write_fails(self, operation, params):
        if operation == "PutItem" and params.get("Item", {}).get("pk", {}).get("S", "").startswith("FLAG#"):
            from botocore.exceptions import ClientError
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", flag_write_fails)
    body = {"manager_id": "cm-001", "rule_code": "FALSE_CLAIM", "breach_date": "2026-11-18",
            "evidence_note": "虚报开户"}
    status, penalty = api.post("/v1/penalties", body, as_="sup-001")
    assert status == 201, penalty
    flag_id = f"FALSE_CLAIM.{penalty['penalty_id']}"
    assert repo.get_flag(flag_id) is None
    entry = outbox_repo.get(outbox.entry("penalty.escalations", penalty["penalty_id"], {})["entry_id"])
    assert entry["status"] == "pending" and entry["attempts"] == 1 and entry["last_error"] == "Unavailable"

    monkeypatch.setattr(BaseClient, "_make_api_call", original)
    with clock.freeze("2026-11-20T13:00:00+08:00"):   # past the backoff
        result = sweeps.run()
    assert result["outbox"]["delivered"] == 1
    assert repo.get_flag(flag_id) is not None
    entry = outbox_repo.get(entry["entry_id"])
    assert entry["status"] == "delivered" and entry["attempts"] == 2
    assert sweeps.run()["outbox"]["delivered"] == 0   # delivered once, not again
