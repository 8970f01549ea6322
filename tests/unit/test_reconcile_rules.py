"""The counter checks' rules on the fake (domain/reconcile.py, issue 14 §4): the records are the truth; a
check reports and writes nothing, a repair sets the counter from the records unless it moved meanwhile."""

from __future__ import annotations

import pytest

from chalicelib.domain import reconcile
from chalicelib.domain.reconcile_ports import COUNTER_RECORDS
from chalicelib.storage.memory.reconcile import MemoryCounterRecords


@pytest.fixture
def records():
    with COUNTER_RECORDS.override(MemoryCounterRecords()) as fake:
        yield fake


def task(records, task_id, trigger, account_id="A001", business_date="2026-11-19", **kw):
    records.tasks[task_id] = {
        "task_id": task_id,
        "trigger": trigger,
        "account_id": account_id,
        "branch_id": "br-pudong",
        "business_date": business_date,
        "status": "open",
        "risk": trigger == "large_outflow",
        **kw,
    }


def test_an_agents_open_tasks_counter_is_reported_then_repaired_from_the_assignee_index(records):
    records.staff["cba-001"] = {"staff_id": "cba-001", "role": "callback_agent", "branch_id": "br-pudong"}
    records.staff["cba-002"] = {"staff_id": "cba-002", "role": "callback_agent", "branch_id": "br-pudong"}
    records.staff["cm-001"] = {"staff_id": "cm-001", "role": "client_manager", "branch_id": "br-pudong"}
    records.loads["cba-001"] = {"open_tasks": 3}
    task(records, "t1", "new_account", assignee_id="cba-001")
    task(records, "t2", "dormant", assignee_id="cba-002", status="in_progress")
    task(records, "t3", "sample", assignee_id="cba-001", status="done")
    report = reconcile.open_task_counters()
    assert report["drift"] == [
        {"staff_id": "cba-001", "branch_id": "br-pudong", "counter": 3, "open_tasks": 1},
        {"staff_id": "cba-002", "branch_id": "br-pudong", "counter": None, "open_tasks": 1},
    ]
    assert records.loads == {"cba-001": {"open_tasks": 3}}  # a check writes nothing
    assert reconcile.open_task_counters(repair=True)["repaired"] == 2
    assert records.agent_loads(["cba-001", "cba-002"]) == {"cba-001": 1, "cba-002": 1}
    assert reconcile.open_task_counters()["drift"] == []


def test_outlet_key_slots_follow_the_active_keys(records):
    records.outlets += ["ot-1", "ot-2"]
    records.api_keys["ot-1"] = ["active", "revoked"]
    records.slots["ot-1"] = {"active": 2}
    assert reconcile.outlet_key_slots()["drift"] == [{"outlet_id": "ot-1", "counter": 2, "active_keys": 1}]
    assert reconcile.outlet_key_slots(repair=True)["repaired"] == 1 and records.slots["ot-1"] == {"active": 1}
    assert reconcile.outlet_key_slots()["drift"] == []


def test_reveal_budgets_follow_the_granted_reveals_of_the_audit(records):
    records.staff["cm-001"] = {"staff_id": "cm-001", "role": "client_manager"}
    records.audit += [{"actor_id": "cm-001", "day": "2026-11-20", "outcome": "granted"}] * 3
    records.audit.append({"actor_id": "cm-002", "day": "2026-11-20", "outcome": "refused"})
    records.reveals[("cm-001", "2026-11-20")] = {"granted": 9}
    # Neither in the directory nor granted anything in the audit: out of the check's sight (domain/reconcile.py).
    records.reveals[("cm-002", "2026-11-20")] = {"granted": 1}
    report = reconcile.reveal_budget("2026-11-20")
    assert report["drift"] == [{"staff_id": "cm-001", "counter": 9, "granted_reveals": 3}]
    assert reconcile.reveal_budget("2026-11-20", repair=True)["repaired"] == 1
    assert records.reveals[("cm-001", "2026-11-20")] == {"granted": 3}
    assert reconcile.reveal_budget("2026-11-19")["drift"] == []
