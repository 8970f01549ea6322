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


def test_a_quarter_counter_counts_the_selected_tasks_of_its_quarter_only(records):
    records.branches.append("br-pudong")
    task(records, "t1", "sample", business_date="2026-10-12")
    task(records, "t2", "large_outflow", business_date="2026-11-19")
    task(records, "t3", "fallback", business_date="2026-11-20")  # outside the selection: never counted
    task(records, "t4", "sample", business_date="2026-09-30")  # Q3
    records.quarters[("A001", "2026Q4")] = {"callbacks": 1, "risk_callbacks": 1, "sampled": 0, "coverage_tasks": 0}
    [row] = reconcile.quarter_counters("2026Q4")["drift"]
    assert row["records"] == {"callbacks": 2, "risk_callbacks": 1, "sampled": 1, "coverage_tasks": 1}
    assert reconcile.quarter_counters("2026Q4", repair=True)["repaired"] == 1
    assert records.quarters[("A001", "2026Q4")]["task_ids"] == ["t1", "t2"]
    assert reconcile.quarter_counters("2026Q4")["drift"] == []


def test_a_task_the_counter_names_counts_even_before_the_account_index_shows_it(records):
    class Lagging(MemoryCounterRecords):
        def account_tasks(self, account_id):
            return [t for t in super().account_tasks(account_id) if t["task_id"] != "t2"]

    with COUNTER_RECORDS.override(Lagging()) as lagging:
        lagging.branches.append("br-pudong")
        task(lagging, "t1", "sample", business_date="2026-10-12")
        task(lagging, "t2", "dormant", business_date="2026-11-19")
        figures = {"callbacks": 2, "risk_callbacks": 0, "sampled": 1, "coverage_tasks": 2}
        lagging.quarters[("A001", "2026Q4")] = {**figures, "task_ids": ["t1", "t2"]}
        assert reconcile.quarter_counters("2026Q4")["drift"] == []


def test_a_repair_is_refused_when_the_counter_moved_after_it_was_read(records):
    class Moving(MemoryCounterRecords):
        def quarter_counter(self, account_id, quarter):
            read = super().quarter_counter(account_id, quarter)
            self.quarters[(account_id, quarter)]["callbacks"] = 9  # a selection lands after the read
            return read

    with COUNTER_RECORDS.override(Moving()) as moving:
        moving.branches.append("br-pudong")
        task(moving, "t1", "sample", business_date="2026-10-12")
        moving.quarters[("A001", "2026Q4")] = {"callbacks": 0, "risk_callbacks": 0, "sampled": 0, "coverage_tasks": 0}
        [row] = reconcile.quarter_counters("2026Q4", repair=True)["drift"]
    assert row["repaired"] is False and moving.quarters[("A001", "2026Q4")]["callbacks"] == 9


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
