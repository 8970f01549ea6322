"""`python -m schedules reconcile <counter> [--repair]` for every counter the records derive (issue 14 §4):
make it drift, the check reports it and writes nothing, the repair sets it from the records, a second
run reports none."""

from __future__ import annotations

import json

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
        "outlet_key_slots",
        "reveal_budget",
    ]
    assert reports[2]["day"] == "2026-11-20"
