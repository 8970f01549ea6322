"""An escalation exists exactly when its cause does (issue 13 §3-4, issue 14 §2).

Each case lets the cause's transaction commit and then kills every later DynamoDB write of the
request or sweep (a container that dies right after the commit, or a network that drops). The
escalation must still be waiting in the outbox, so the outbox sweep delivers it once: before it
was recorded by a separate write after the commit, and this lost it.
"""

from __future__ import annotations

import pytest
from botocore.client import BaseClient

from chalicelib import clock
from chalicelib.domain import outbox
from chalicelib.storage import problems as problem_repo
from tests.factories.tasks import CHECKLIST, REACHED, make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"  # a Friday
WRITES = {"PutItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem", "DeleteItem"}


class Died(RuntimeError):
    pass


@pytest.fixture
def frozen():
    with clock.freeze(NOW):
        yield


@pytest.fixture
def dies_after(monkeypatch):
    """`dies_after(pk_prefix)`: once a write holding an item whose pk starts with the prefix has
    committed, every later DynamoDB write raises (its outbox delivery too)."""
    state = {"prefix": None, "committed": False}
    inner = BaseClient._make_api_call

    def call(client, operation_name, params):
        dynamo = client.meta.service_model.service_name == "dynamodb"
        if dynamo and operation_name in WRITES and state["committed"]:
            raise Died(f"{operation_name} after the cause committed")
        result = inner(client, operation_name, params)
        if dynamo and state["prefix"] and operation_name in WRITES and state["prefix"] in repr(params):
            state["committed"] = True
        return result

    monkeypatch.setattr(BaseClient, "_make_api_call", call)

    def arm(prefix: str) -> dict:
        state.update(prefix=prefix, committed=False)
        return state

    arm.state = state
    return arm


def _sent(monkeypatch, dies_after) -> list[tuple[str, dict]]:
    """What reaches SNS; nothing does while the container is dead."""
    sent: list[tuple[str, dict]] = []

    def notify(kind, record):
        if dies_after.state["committed"]:
            raise Died("SNS publish after the cause committed")
        sent.append((kind, record))

    monkeypatch.setattr(problem_repo, "notify_escalation", notify)
    return sent


def _deliver_later(dies_after, sent) -> list[str]:
    dies_after("no-such-item")  # the outage is over
    with clock.freeze("2026-12-31T12:00:00+08:00"):
        outbox.deliver_due()
        assert outbox.deliver_due()["delivered"] == 0  # once
    return [kind for kind, _ in sent]


def test_an_unrecognised_transfer_keeps_its_escalation_when_the_container_dies(api, frozen, dies_after, monkeypatch):
    make_account("A003")
    t = make_task("large_outflow", "A003", priority=0)
    sent = _sent(monkeypatch, dies_after)
    state = dies_after("ATTEMPT#")
    try:
        api.post(
            f"/v1/callback-tasks/{t['task_id']}/attempts",
            {**REACHED, "checklist": None, "transfer_recognised": False},
            as_="cba-001",
        )
    except Died:
        pass
    assert state["committed"]
    assert _deliver_later(dies_after, sent) == ["transfer_not_recognised"]


def test_a_negative_answer_on_account_changes_keeps_its_escalation(api, frozen, dies_after, monkeypatch):
    make_account("A001")
    t = make_task("new_account", "A001")
    sent = _sent(monkeypatch, dies_after)
    state = dies_after("ATTEMPT#")
    try:
        api.post(
            f"/v1/callback-tasks/{t['task_id']}/attempts",
            {**REACHED, "checklist": {**CHECKLIST, "account_changes_confirmed": False}},
            as_="cba-001",
        )
    except Died:
        pass
    assert state["committed"]
    assert _deliver_later(dies_after, sent) == ["change_not_recognised"]


def test_a_large_outflow_past_its_deadline_keeps_its_escalation(api, dies_after, monkeypatch):
    from chalicelib.domain import callback_work

    make_account("A003")
    make_account("A001")
    make_task("large_outflow", "A003", business_date="2026-11-19", due_on="2026-11-20", priority=0)
    make_task("new_account", "A001", business_date="2026-11-19", due_on="2026-11-20")
    sent = _sent(monkeypatch, dies_after)
    with clock.freeze("2026-11-21T10:00:00+08:00"):
        # Each flag commits with its own escalation; the delivery right after it dies.
        dies_after("TASK#")
        try:
            callback_work.sweep_overdue()
        except Died:
            pass
        dies_after("no-such-item")
        callback_work.sweep_overdue()  # a rerun (the watermark was never moved) flags the rest
    assert sorted(_deliver_later(dies_after, sent)) == ["risk_callback_unanswered", "task_overdue"]


def test_a_critical_item_from_compliance_keeps_its_escalation(api, dies_after, monkeypatch):
    make_account("A001")
    sent = _sent(monkeypatch, dies_after)
    dies_after("PROBLEM#")
    with clock.freeze(NOW):
        try:
            api.post(
                "/v1/problems",
                {
                    "branch_id": "br-pudong",
                    "account_id": "A001",
                    "severity": "critical",
                    "category": "staff_misconduct",
                    "cause": "guaranteed returns",
                    "responsible_department": "branch operations",
                },
                as_="cmp-001",
            )
        except Died:
            pass
    assert _deliver_later(dies_after, sent) == ["critical_problem"]


def test_an_overdue_problem_item_keeps_its_escalation(api, dies_after, monkeypatch):
    from chalicelib.domain import problems

    make_account("A001")
    with clock.freeze(NOW):
        status, item = api.post(
            "/v1/problems",
            {
                "branch_id": "br-pudong",
                "account_id": "A001",
                "category": "service_attitude",
                "cause": "rude",
                "responsible_department": "branch operations",
            },
            as_="cmp-001",
        )
        assert status == 201
    sent = _sent(monkeypatch, dies_after)
    dies_after("PROBLEM#")
    with clock.freeze("2026-11-30T10:00:00+08:00"):
        try:
            problems.sweep_overdue()
        except Died:
            pass
    assert _deliver_later(dies_after, sent) == ["problem_overdue"]


def test_the_reveal_budget_alert_keeps_its_entry_when_the_container_dies(api, frozen, dies_after, monkeypatch):
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FIELDDESK_REVEAL_DAILY_BUDGET", "1")
    reset_settings()
    make_account("A001")
    task = make_task("dormant", "A001", business_date="2026-11-20", assignee_id="cba-001")
    url = f"/v1/callback-tasks/{task['task_id']}/reveal"
    assert api.post(url, as_="cba-001")[0] == 200
    sent = _sent(monkeypatch, dies_after)
    dies_after("AUDIT#REVEAL#")  # the refusal's audit record commits, then the container dies
    try:
        api.post(url, as_="cba-001")
    except Died:
        pass
    assert _deliver_later(dies_after, sent) == ["reveal_budget_exhausted"]
    # Later refusals that day are audited and alert nobody again.
    assert api.post(url, as_="cba-001")[0] == 429
    assert _deliver_later(dies_after, sent) == ["reveal_budget_exhausted"]
