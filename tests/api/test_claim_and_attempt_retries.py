"""A task claim and an attempt whose write landed but whose answer was lost (issue 18 §4: neither route keeps
an idempotency record any more; each recognises its own retry from the data it wrote).

Faults are injected under botocore (tests/fault_harness.py): every DynamoDB call is applied and its response
replaced by a 500, once, so botocore sends it again. A transaction sent again finds its own write done and is
refused (the task's revision moved): the route must answer with what it wrote, not 409, and count it once.
"""

from __future__ import annotations

import uuid

import pytest

from chalicelib import clock
from tests.factories.tasks import make_account, make_task
from tests.fault_harness import FaultInjector

NOW = "2026-11-20T10:00:00+08:00"


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def every_answer_lost_once() -> FaultInjector:
    return FaultInjector(rate=1.0, seed=1, kinds=("applied_500",))


def test_a_claim_whose_answer_was_lost_is_answered_with_the_claimed_task_and_counted_once(api):
    from chalicelib.storage import callback_work

    make_account("A001")
    task = make_task("dormant", "A001", assignee_id=None)
    before = callback_work.agent_loads(["cba-001"]).get("cba-001", 0)
    faults = every_answer_lost_once()
    with faults.active():
        status, body = api.post(
            f"/v1/callback-tasks/{task['task_id']}/claim", as_="cba-001", headers={"Idempotency-Key": uuid.uuid4().hex}
        )
    assert faults.counts["applied_500"] >= 2  # the read and the transaction at least
    assert status == 200 and body["assignee_id"] == "cba-001", body
    assert callback_work.get_task(task["task_id"])["assignee_id"] == "cba-001"
    assert callback_work.agent_loads(["cba-001"])["cba-001"] == before + 1


def test_an_attempt_whose_answer_was_lost_is_answered_with_the_stored_attempt_and_recorded_once(api):
    from chalicelib.storage import callback_work

    make_account("A001")
    task = make_task("dormant", "A001", assignee_id="cba-001")
    body = {"channel": "phone", "reached": False, "reason": "no_answer"}
    faults = every_answer_lost_once()
    with faults.active():
        status, answer = api.post(
            f"/v1/callback-tasks/{task['task_id']}/attempts",
            body,
            as_="cba-001",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert faults.counts["applied_500"] >= 2
    assert status == 201 and answer["task"]["attempts"] == 1, answer
    _task, attempts, _ = callback_work.task_with_history(task["task_id"])
    assert [a["attempt_id"] for a in attempts] == [answer["attempt"]["attempt_id"]]
