"""POST /v1/callback-tasks/{task_id}/assign (issue 20 §1): the callback-centre lead (or the branch's
supervisor) hands an open task to an active callback agent of its branch, conditional on the revision read;
the agents' load counters move, the task's history records it, a retry writes nothing twice. The lead also
reads its own centre's board, queue and reach rate, and nothing of another branch."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.storage import base, directory, keys
from tests.factories.tasks import make_account, make_task

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def load(agent_id: str) -> int:
    item = base.get_item(**keys.agent_load(agent_id), consistent=True)
    return int(item["open_tasks"]) if item else 0


def assign(api, task_id, agent_id, revision=0, *, as_="cbl-001", key=None, reason="工作量平衡", **extra):
    # A reason by default: taking a task from the agent who holds it needs one (issue 20); None sends none.
    headers = {"Idempotency-Key": key} if key else None
    return api.post(
        f"/v1/callback-tasks/{task_id}/assign",
        {"agent_id": agent_id, "revision": revision, "reason": reason, **extra},
        as_=as_,
        headers=headers,
    )


def queue_ids(api, who="cbl-001"):
    status, page = api.get("/v1/callback-tasks/queue", as_=who)
    assert status == 200, page
    return [t["task_id"] for t in page["items"]]


def test_the_lead_takes_a_task_from_the_queue_to_an_agent(api):
    make_account("Q1")
    task = make_task("dormant", "Q1", due_on="2026-11-20", assignee_id=None)
    assert task["task_id"] in queue_ids(api)
    status, out = assign(api, task["task_id"], "cba-002", reason="陈静休假")
    assert status == 200, out
    assert out["assignee_id"] == "cba-002" and out["revision"] == 1 and out["replayed"] is False
    assert out["assignment"]["from_agent_id"] is None and out["assignment"]["by"] == "cbl-001"
    assert task["task_id"] not in queue_ids(api)
    status, mine = api.get("/v1/callback-tasks/mine", as_="cba-002")
    assert [t["task_id"] for t in mine["items"]] == [task["task_id"]] and mine["items"][0]["revision"] == 1
    assert load("cba-002") == 1
    status, history = api.get(f"/v1/callback-tasks/{task['task_id']}/assignments", as_="cmp-001")
    assert status == 200, history
    [h] = history["items"]
    assert (h["to_agent_id"], h["by_role"], h["reason"], h["from_revision"]) == (
        "cba-002",
        "callback_lead",
        "陈静休假",
        0,
    )


def test_reassigning_moves_one_task_between_the_agents_counters(api):
    make_account("R1")
    task = make_task("new_account", "R1", assignee_id="cba-001")
    base.update(**keys.agent_load("cba-001"), expression="ADD open_tasks :d", values={":d": 3}, return_values="NONE")
    status, out = assign(api, task["task_id"], "cba-002", as_="sup-001", reason=None)
    assert status == 400 and out["error"]["details"][0]["field"] == "reason", out  # a held task: say why
    assert load("cba-001") == 3 and load("cba-002") == 0
    status, out = assign(api, task["task_id"], "cba-002", as_="sup-001", reason="李明病假")
    assert status == 200, out
    assert load("cba-001") == 2 and load("cba-002") == 1
    assert api.get("/v1/callback-tasks/mine", as_="cba-001")[1]["items"] == []
    status, board = api.get("/v1/callback-tasks/board", as_="cbl-001")
    work = {w["assignee_id"]: w["open"] for w in board["workload"]}
    assert work["cba-001"] == 0 and work["cba-002"] == 1


def test_a_retry_writes_nothing_twice(api):
    make_account("I1")
    task = make_task("new_account", "I1", assignee_id="cba-001")
    first = assign(api, task["task_id"], "cba-002", key="assign-I1-0001")
    again = assign(api, task["task_id"], "cba-002", key="assign-I1-0001")
    assert first[0] == again[0] == 200 and again[1]["assignee_id"] == "cba-002"
    # without the key too (a second lead doing the same): already there, nothing moves
    plain = assign(api, task["task_id"], "cba-002", revision=0)
    assert plain[0] == 200 and plain[1]["replayed"] is True and plain[1]["revision"] == 1
    assert load("cba-002") == 1
    assert len(api.get(f"/v1/callback-tasks/{task['task_id']}/assignments", as_="cbl-001")[1]["items"]) == 1


def test_a_stale_revision_is_refused(api):
    make_account("S1")
    task = make_task("new_account", "S1", assignee_id="cba-001", revision=4)
    status, err = assign(api, task["task_id"], "cba-002", revision=3)
    assert status == 409 and err["error"]["code"] == "stale_revision"
    assert err["error"]["details"][0]["field"] == "revision"
    assert load("cba-002") == 0
    assert assign(api, task["task_id"], "cba-002", revision=4)[0] == 200


@pytest.mark.parametrize("agent", ["nobody", "cm-001", "cbl-002", "cba-haidian"])
def test_the_agent_must_be_a_callback_agent_of_the_branch(api, agent):
    directory.put_staff(
        {
            "staff_id": "cba-haidian",
            "name": "外地",
            "role": "callback_agent",
            "branch_id": "br-haidian",
            "outlet_ids": [],
        }
    )
    make_account("G1")
    task = make_task("new_account", "G1", assignee_id=None)
    status, err = assign(api, task["task_id"], agent)
    assert status == 404 and err["error"]["details"][0]["field"] == "agent_id"
    assert task["task_id"] in queue_ids(api)


def test_a_departed_agent_gets_no_task(api):
    directory.put_staff(
        {
            "staff_id": "cba-gone",
            "name": "离职",
            "role": "callback_agent",
            "branch_id": "br-pudong",
            "outlet_ids": [],
            "status": "departed",
        }
    )
    make_account("D1")
    task = make_task("new_account", "D1", assignee_id=None)
    status, err = assign(api, task["task_id"], "cba-gone")
    assert status == 422 and err["error"]["code"] == "agent_not_active"


def test_a_finished_task_is_read_only(api):
    make_account("F1")
    task = make_task("new_account", "F1", assignee_id="cba-001", status="done")
    status, err = assign(api, task["task_id"], "cba-002")
    assert status == 422 and err["error"]["code"] == "task_finished"


def test_who_may_assign(api):
    make_account("W1")
    task = make_task("new_account", "W1", assignee_id=None)
    for who in ("cba-001", "cmp-001", "cm-001", "adm-001"):
        assert assign(api, task["task_id"], "cba-002", as_=who)[0] == 403, who
    assert assign(api, task["task_id"], "cba-002", as_="sup-101")[0] == 404  # another branch's supervisor
    make_account("W2", branch_id="br-haidian")
    other = make_task("new_account", "W2", branch_id="br-haidian", assignee_id=None)
    assert assign(api, other["task_id"], "cba-002")[0] == 404  # not disclosed to another branch's lead
    assert api.get(f"/v1/callback-tasks/{other['task_id']}/assignments", as_="cbl-001")[0] == 404
    assert api.post("/v1/callback-tasks/nope/assign", {"agent_id": "cba-002", "revision": 0}, as_="cbl-001")[0] == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"agent_id": "cba-002"}, "revision"),
        ({"agent_id": "cba#002", "revision": 0}, "agent_id"),
        ({"agent_id": "cba-002", "revision": -1}, "revision"),
        ({"agent_id": "cba-002", "revision": 0, "extra": 1}, "extra"),
    ],
)
def test_bad_bodies_name_the_field(api, body, field):
    make_account("B1")
    task = make_task("new_account", "B1", assignee_id=None)
    status, err = api.post(f"/v1/callback-tasks/{task['task_id']}/assign", body, as_="cbl-001")
    assert status == 400, err
    assert field in str(err["error"]["details"])


def test_the_lead_reads_its_own_centre_only(api):
    assert api.get("/v1/callback-tasks/board", as_="cbl-001")[0] == 200
    assert api.get("/v1/callback-tasks/queue", as_="cbl-001")[0] == 200
    assert api.get("/v1/reports/callbacks?month=2026-11", as_="cbl-001")[0] == 200
    assert api.get("/v1/reports/callbacks.csv?month=2026-11", as_="cbl-001")[0] == 200
    for path in (
        "/v1/callback-tasks/board?branch_id=br-haidian",
        "/v1/callback-tasks/queue?branch_id=br-haidian",
        "/v1/reports/callbacks?month=2026-11&branch_id=br-haidian",
    ):
        assert api.get(path, as_="cbl-001")[0] == 403, path
    # what stays with the agents and compliance
    assert api.get("/v1/callback-tasks/mine", as_="cbl-001")[0] == 403
    assert api.get("/v1/reports/coverage?month=2026-11", as_="cbl-001")[0] == 403


def test_the_lead_lists_an_agents_held_tasks_and_reassigns_one_with_a_reason(api):
    """Issue 20: the lead sees what an agent holds (masked), takes one over with a reason; the history keeps
    who moved it, from whom and why; both agents' counters move; another branch's agent is not there."""
    make_account("H1")
    make_account("H2")
    first = make_task("large_outflow", "H1", assignee_id="cba-001")
    second = make_task("new_account", "H2", assignee_id="cba-001")
    base.update(**keys.agent_load("cba-001"), expression="ADD open_tasks :d", values={":d": 2}, return_values="NONE")
    status, held = api.get("/v1/callback-agents/cba-001/tasks", as_="cbl-001")
    assert status == 200, held
    assert [t["task_id"] for t in held["items"]] == [first["task_id"], second["task_id"]]  # risk first
    assert held["items"][0]["phone_masked"] == "138****5678" and "13812345678" not in str(held)
    status, out = assign(api, second["task_id"], "cba-002", reason="陈静下午培训", key="k-held-1")
    assert status == 200 and out["assignment"]["from_agent_id"] == "cba-001", out
    assert out["assignment"]["reason"] == "陈静下午培训" and out["assignment"]["by"] == "cbl-001"
    assert load("cba-001") == 1 and load("cba-002") == 1
    status, held = api.get("/v1/callback-agents/cba-001/tasks", as_="cbl-001")
    assert [t["task_id"] for t in held["items"]] == [first["task_id"]]
    status, mine = api.get("/v1/callback-tasks/mine", as_="cba-002")
    assert [t["task_id"] for t in mine["items"]] == [second["task_id"]]
    status, history = api.get(f"/v1/callback-tasks/{second['task_id']}/assignments", as_="cmp-001")
    [h] = history["items"]
    assert (h["from_agent_id"], h["to_agent_id"], h["reason"]) == ("cba-001", "cba-002", "陈静下午培训")
    assert api.get("/v1/callback-agents/cba-001/tasks", as_="cba-002")[0] == 403  # an agent: not theirs to read
    assert api.get("/v1/callback-agents/no-such-agent/tasks", as_="cbl-001")[0] == 404
    assert api.get("/v1/callback-agents/cm-001/tasks", as_="cbl-001")[0] == 404  # not a callback agent
