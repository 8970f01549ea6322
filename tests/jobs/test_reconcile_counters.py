"""`python -m schedules reconcile <counter> [--repair]` for every counter the records derive (issue 14 §4):
make it drift, the check reports it and writes nothing, the repair sets it from the records, a second
run reports none."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chalicelib import clock
from schedules.__main__ import main

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _run(capsys, *argv) -> tuple[int, dict]:
    code = main(["reconcile", *argv])
    return code, json.loads(capsys.readouterr().out)


def _selected(trigger: str, account_id: str, business_date: str, *, risk: bool = False) -> str:
    """A task written the way the selection job writes it: with its quarter counter, in one transaction."""
    from chalicelib.models.tasks import CAP_CLASS, CapClass, TaskRecord
    from chalicelib.storage import keys, selection

    day = date.fromisoformat(business_date)
    record = TaskRecord(
        task_id=keys.callback_task_id(trigger, account_id, business_date),
        trigger=trigger,
        episode=business_date,
        account_id=account_id,
        branch_id="br-pudong",
        serving_manager_id="cm-001",
        client_name="张三",
        business_date=day,
        created_at=f"{business_date}T06:00:00+08:00",
        due_on=day,
        due_at=f"{business_date}T23:59:59+08:00",
        priority=5,
        risk=risk,
        status="open",
        assignee_id=None,
    )
    cap = 2 if CAP_CLASS[trigger] == CapClass.sampled else None
    assert selection.create_task(record, f"{day.year}Q{(day.month - 1) // 3 + 1}", cap) == "created"
    return record.task_id


def test_quarter_callback_counters_drift_is_reported_repaired_and_gone(directory, capsys):
    from chalicelib.config import get_settings
    from chalicelib.storage import base, keys
    from chalicelib.storage.clients import dynamodb_client
    from tests.factories.tasks import make_account, make_task

    make_account("A001")
    make_account("A002")
    first = _selected("sample", "A001", "2026-10-12")
    second = _selected("large_outflow", "A001", "2026-11-19", risk=True)
    _selected("dormant", "A002", "2026-11-19")
    _selected("sample", "A001", "2026-09-30")  # Q3: another counter
    make_task("fallback", "A001", business_date="2026-11-20", assignee_id=None)  # never counted
    counter = keys.callback_quarter_counter("A001", "2026Q4")
    assert int(base.get_item(**counter)["callbacks"]) == 2
    assert _run(capsys, "quarter-callbacks", "--quarter", "2026Q4") == (
        0,
        {"checked": "quarter_callbacks", "quarter": "2026Q4", "drift": [], "repaired": 0},
    )

    # A lost update: the counter says one callback, so the cap would let a third sampled one through.
    base.update(
        **counter,
        expression="SET callbacks = :n, task_ids = :ids",
        values={":n": 1, ":ids": [first]},
        return_values="NONE",
    )
    code, report = _run(capsys, "quarter-callbacks", "--quarter", "2026Q4")
    assert code == 1 and [d["account_id"] for d in report["drift"]] == ["A001"]
    row = report["drift"][0]
    assert row["counter"]["callbacks"] == 1 and row["records"] == {
        "callbacks": 2,
        "risk_callbacks": 1,
        "sampled": 1,
        "coverage_tasks": 1,
    }
    assert int(base.get_item(**counter)["callbacks"]) == 1  # a check writes nothing

    code, report = _run(capsys, "quarter-callbacks", "--quarter", "2026Q4", "--repair")
    assert code == 0 and report["repaired"] == 1
    item = base.get_item(**counter)
    assert int(item["callbacks"]) == 2 and sorted(item["task_ids"]) == sorted([first, second])
    assert _run(capsys, "quarter-callbacks", "--quarter", "2026Q4")[1]["drift"] == []

    # A counter that is missing altogether is created from the records.
    key = keys.callback_quarter_counter("A002", "2026Q4")
    dynamodb_client().delete_item(
        TableName=get_settings().table_name, Key={"pk": {"S": key["pk"]}, "sk": {"S": key["sk"]}}
    )
    code, report = _run(capsys, "quarter-callbacks", "--quarter", "2026Q4", "--repair")
    assert code == 0 and [(d["account_id"], d["counter"], d["repaired"]) for d in report["drift"]] == [
        ("A002", None, True)
    ]
    assert int(base.get_item(**keys.callback_quarter_counter("A002", "2026Q4"))["coverage_tasks"]) == 1
    assert main(["reconcile", "quarter-callbacks", "--quarter", "2026Q5"]) == 2


def test_a_repair_is_refused_when_the_counter_moved_after_it_was_read(directory, capsys, monkeypatch):
    from chalicelib.storage import base, counters, keys
    from tests.factories.tasks import make_account

    make_account("A001")
    _selected("dormant", "A001", "2026-11-19")
    counter = keys.callback_quarter_counter("A001", "2026Q4")
    base.update(**counter, expression="SET callbacks = :n", values={":n": 7}, return_values="NONE")
    read = counters.quarter_counter

    def read_then_a_selection_lands(account_id, quarter):
        seen = read(account_id, quarter)
        base.update(**counter, expression="ADD callbacks :one", values={":one": 1}, return_values="NONE")
        return seen

    monkeypatch.setattr(counters, "quarter_counter", read_then_a_selection_lands)
    code, report = _run(capsys, "quarter-callbacks", "--quarter", "2026Q4", "--repair")
    assert code == 1 and report["drift"][0]["repaired"] is False
    assert int(base.get_item(**counter)["callbacks"]) == 8  # the concurrent write is not overwritten


def test_outlet_key_slots_drift_is_reported_repaired_and_gone(api, capsys):
    from chalicelib.storage import base, keys

    for label in ("a", "b"):
        status, body = api.post("/v1/outlets/ot-ccb-zhangjiang/api-keys", {"label": label}, as_="adm-001")
        assert status == 201, body
    slots = keys.outlet_key_slots("ot-ccb-zhangjiang")
    assert int(base.get_item(**slots)["active"]) == 2
    assert _run(capsys, "outlet-key-slots")[1]["drift"] == []
    # A revocation whose counter update was lost: two slots still taken by one active key, no rotation possible.
    status, _ = api.post(f"/v1/outlets/ot-ccb-zhangjiang/api-keys/{body['key_id']}/revoke", {}, as_="adm-001")
    assert status == 200
    base.update(**slots, expression="SET active = :n", values={":n": 2}, return_values="NONE")
    code, report = _run(capsys, "outlet-key-slots")
    assert code == 1 and report["drift"] == [{"outlet_id": "ot-ccb-zhangjiang", "counter": 2, "active_keys": 1}]
    code, report = _run(capsys, "outlet-key-slots", "--repair")
    assert code == 0 and report["repaired"] == 1 and int(base.get_item(**slots)["active"]) == 1
    assert _run(capsys, "outlet-key-slots") == (0, {"checked": "outlet_key_slots", "drift": [], "repaired": 0})


def test_reveal_budget_drift_is_reported_repaired_and_gone(directory, capsys):
    from chalicelib.storage import audit, base, keys

    for n in range(3):
        audit.record_granted(
            budget=10,
            actor_id="cm-001",
            actor_role="client_manager",
            subject_kind="prospect",
            subject_id=f"p{n}",
            branch_id="br-pudong",
            purpose="follow_up",
            fields=["phone"],
        )
    audit.record_refused(
        actor_id="cm-002",
        actor_role="client_manager",
        subject_kind="prospect",
        subject_id="p9",
        branch_id="br-pudong",
        purpose="follow_up",
        fields=[],
    )
    counter = keys.reveal_budget("cm-001", "2026-11-20")
    assert _run(capsys, "reveal-budget")[1] == {
        "checked": "reveal_budget",
        "day": "2026-11-20",
        "drift": [],
        "repaired": 0,
    }
    # Counted twice (a replayed increment): the person would be refused reveals they still have.
    base.update(**counter, expression="SET granted = :n", values={":n": 9}, return_values="NONE")
    base.put({**keys.reveal_budget("cm-002", "2026-11-20"), "granted": 1})  # a refusal is never counted
    code, report = _run(capsys, "reveal-budget", "--date", "2026-11-20")
    assert code == 1 and report["drift"] == [
        {"staff_id": "cm-001", "counter": 9, "granted_reveals": 3},
        {"staff_id": "cm-002", "counter": 1, "granted_reveals": 0},
    ]
    assert _run(capsys, "reveal-budget", "--repair")[1]["repaired"] == 2
    assert int(base.get_item(**counter)["granted"]) == 3
    assert _run(capsys, "reveal-budget")[1]["drift"] == []
    assert _run(capsys, "reveal-budget", "--date", "2026-11-19")[1]["drift"] == []  # another day: its own counters


def test_reconcile_all_runs_every_check(directory, capsys):
    code, reports = _run(capsys, "all")
    assert code == 0 and [r["checked"] for r in reports] == [
        "open_tasks",
        "quarter_callbacks",
        "outlet_key_slots",
        "reveal_budget",
    ]
    assert reports[1]["quarter"] == "2026Q4" and reports[3]["day"] == "2026-11-20"
