"""The hourly SLA sweep: reads only the due buckets that fell due, catches up from a watermark."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib import clock
from chalicelib.jobs import sweeps
from chalicelib.storage import problems as problem_repo
from tests.factories.tasks import make_account, make_task

ITEM = {
    "branch_id": "br-pudong",
    "category": "service_attitude",
    "cause": "rude",
    "responsible_department": "branch operations",
}


@pytest.fixture
def alerts(monkeypatch):
    sent = []
    original = problem_repo.notify_escalation
    monkeypatch.setattr(
        problem_repo, "notify_escalation", lambda kind, rec: (sent.append((kind, rec)), original(kind, rec))
    )
    return sent


def _at(text):
    return datetime.fromisoformat(text)


def _run(when):
    with clock.freeze(when):
        return sweeps.run()


def test_problem_items_are_flagged_when_their_due_hour_has_passed(api, alerts):
    with clock.freeze("2026-11-20T10:30:00+08:00"):  # Friday
        _, critical = api.post("/v1/problems", {**ITEM, "severity": "critical"}, as_="cmp-001")
        _, normal = api.post("/v1/problems", ITEM, as_="cmp-001")
        _, resolved = api.post("/v1/problems", {**ITEM, "severity": "critical"}, as_="cmp-001")
        api.post(f"/v1/problems/{resolved['problem_id']}/transition", {"to": "resolved", "note": "done"}, as_="cmp-001")
    alerts.clear()
    assert critical["due_at"] == "2026-11-20T18:30:00+08:00" and normal["due_at"] == "2026-11-27T10:30:00+08:00"

    r = _run("2026-11-20T18:00:00+08:00")  # 18:30 has not passed: bucket T18 is not read yet
    assert r["problems"]["flagged"] == []
    r = _run("2026-11-20T19:00:00+08:00")
    assert r["problems"]["flagged"] == [critical["problem_id"]] and r["problems"]["hours_read"] == 1
    assert [k for k, _ in alerts] == ["problem_overdue"]
    r = _run("2026-11-20T19:20:00+08:00")  # a rerun in the same hour reads nothing new
    assert r["problems"] == {"hours_read": 0, "flagged": []}

    r = _run("2026-11-26T23:00:00+08:00")  # Thursday: 4 working days, not yet overdue
    assert r["problems"]["flagged"] == []
    r = _run("2026-11-27T12:00:00+08:00")  # missed runs: catches up hour by hour to 11:00
    assert r["problems"]["flagged"] == [normal["problem_id"]] and r["problems"]["hours_read"] == 13
    _, listed = api.get("/v1/problems?status=open", as_="cmp-001")
    flags = {p["problem_id"]: (p["overdue"], p["overdue_at"]) for p in listed["items"]}
    assert flags[critical["problem_id"]] == (True, "2026-11-20T19:00:00+08:00")
    assert flags[normal["problem_id"]][0] is True
    _, res = api.get(f"/v1/problems/{resolved['problem_id']}", as_="cmp-001")
    assert res["overdue"] is False
    assert len(alerts) == 2


def test_the_first_run_looks_back_a_configured_window(api, alerts):
    with clock.freeze("2026-11-20T08:10:00+08:00"):
        _, critical = api.post("/v1/problems", {**ITEM, "severity": "critical"}, as_="cmp-001")
    r = _run("2026-11-21T09:00:00+08:00")
    assert r["problems"]["flagged"] == [critical["problem_id"]] and r["problems"]["hours_read"] == 72


def test_overdue_callback_tasks_are_flagged_from_their_due_day_buckets(api, alerts):
    for a in ("A001", "A002", "A003", "A004"):
        make_account(a)
    late = make_task("new_account", "A001", business_date="2026-11-18", due_on="2026-11-19")
    make_task(
        "dormant",
        "A002",
        business_date="2026-11-18",
        due_on="2026-11-19",
        status="done",
        completed_at="2026-11-19T10:00:00+08:00",
    )
    today = make_task("dormant", "A003", business_date="2026-11-20", due_on="2026-11-20")
    queued = make_task("periodic", "A004", business_date="2026-11-17", due_on="2026-11-18", assignee_id=None)
    r = _run("2026-11-20T10:00:00+08:00")
    assert sorted(r["tasks"]["flagged"]) == sorted([late["task_id"], queued["task_id"]])
    assert {k for k, _ in alerts} == {"task_overdue"}
    r = _run("2026-11-20T11:00:00+08:00")
    assert r["tasks"] == {"days_read": 0, "flagged": []}
    r = _run("2026-11-21T01:00:00+08:00")
    assert r["tasks"]["flagged"] == [today["task_id"]] and r["tasks"]["days_read"] == 1
    with clock.freeze("2026-11-21T01:00:00+08:00"):
        _, mine = api.get("/v1/callback-tasks/mine", as_="cba-001")
    assert all(t["overdue"] for t in mine["items"])


def test_a_flag_bumps_the_revision_so_a_stale_agent_write_retries(api):
    make_account("A001")
    t = make_task("new_account", "A001", business_date="2026-11-18", due_on="2026-11-19")
    from chalicelib.storage import callback_work as repo

    stale = repo.get_task(t["task_id"])
    _run("2026-11-20T10:00:00+08:00")
    from chalicelib.errors import ConditionFailed

    with pytest.raises(ConditionFailed):
        repo.write([repo.task_put_op({**stale, "status": "done", "revision": 1}, stale)])
    assert repo.get_task(t["task_id"])["overdue"] is True
