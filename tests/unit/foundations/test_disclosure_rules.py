"""The reveal policy's audit and daily budget on the in-memory repositories (the API tests keep the HTTP side)."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.config import reset_settings
from chalicelib.domain import disclosure, outbox
from chalicelib.domain.disclosure_ports import DISCLOSURES
from chalicelib.domain.outbox_ports import OUTBOX
from chalicelib.errors import Forbidden
from chalicelib.storage.memory.audit import MemoryDisclosureAuditRepository
from chalicelib.storage.memory.outbox import MemoryOutboxRepository

AGENT = Principal("staff", "cba-001", "callback_agent", "br-pudong")
SUBJECT = disclosure.Subject("account", "A001", "br-pudong")
PURPOSE = disclosure.Purpose("callback", "calling the client about the form")


@pytest.fixture
def audit():
    box = MemoryOutboxRepository()
    with OUTBOX.override(box), DISCLOSURES.override(MemoryDisclosureAuditRepository(box)) as fake:
        with clock.freeze("2026-11-20T22:00:00+08:00"):
            yield fake


@pytest.fixture
def budget_of_two(monkeypatch):
    monkeypatch.setenv("FIELDDESK_REVEAL_DAILY_BUDGET", "2")
    reset_settings()
    yield
    monkeypatch.delenv("FIELDDESK_REVEAL_DAILY_BUDGET")
    reset_settings()


def test_a_grant_shows_what_exists_and_audits_exactly_that(audit):
    shown, record = disclosure.grant(AGENT, SUBJECT, PURPOSE, {"phone": "13812345678", "id_number": None})
    assert shown == {"phone": "13812345678"}
    assert (record["fields"], record["requested"], record["outcome"]) == (["phone"], ["phone", "id_number"], "granted")
    assert (record["actor_id"], record["subject_id"], record["purpose"]) == ("cba-001", "A001", "callback")
    assert disclosure.list_reveals("2026-11", 10, None).items[0]["audit_id"] == record["audit_id"]


def test_a_refusal_is_audited_then_raised(audit):
    with pytest.raises(Forbidden, match="no open task"):
        disclosure.refuse(AGENT, SUBJECT, PURPOSE, "no open task on this account", ["phone"])
    (record,) = audit.records
    assert (record["outcome"], record["refusal"], record["fields"]) == ("refused", "no open task on this account", [])


def test_past_the_budget_it_is_refused_alerted_once_and_renews_at_midnight(audit, budget_of_two):
    for _ in range(2):
        disclosure.grant(AGENT, SUBJECT, PURPOSE, {"phone": "13812345678"})
    for _ in range(2):
        with pytest.raises(disclosure.RevealBudgetExhausted) as err:
            disclosure.grant(AGENT, SUBJECT, PURPOSE, {"phone": "13812345678"})
        assert err.value.status == 429 and err.value.retry_after == 2 * 3600
    assert [r["outcome"] for r in audit.records] == ["granted", "granted", "refused", "refused"]
    alerts = list(audit.outbox.entries.values())
    assert len(alerts) == 1 and alerts[0]["subject"] == "reveal_budget|cba-001|2026-11-20"
    assert alerts[0]["status"] == "delivered"  # delivered right after the refusal (escalation handler)
    assert alerts[0]["payload"]["record"]["severity"] == "high"
    other = Principal("staff", "cba-002", "callback_agent", "br-pudong")
    assert disclosure.grant(other, SUBJECT, PURPOSE, {"phone": "13812345678"})[0]  # their own budget
    assert outbox.entry("escalation", "reveal_budget|cba-001|2026-11-20", {})["entry_id"] in audit.outbox.entries
