"""One contract for `CounterRecords` (the counter checks' reads and conditional repairs), run on the
DynamoDB adapter (moto) and the in-memory fake the rule tests use."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.storage import audit, base, directory, keys
from chalicelib.storage.memory.reconcile import MemoryCounterRecords
from chalicelib.storage.reconcile_repo import DynamoCounterRecords
from tests.factories.tasks import make_task

DAY = "2026-11-20"


class DynamoSeed:
    def staff(self, repo, staff_id, role, branch_id="br-pudong"):
        directory.put_staff(
            {"staff_id": staff_id, "role": role, "branch_id": branch_id, "name": "某人", "status": "active"}
        )

    def outlet(self, repo, outlet_id, *statuses):
        directory.put_outlet({"outlet_id": outlet_id, "branch_id": "br-pudong", "name": outlet_id}, new=True)
        for n, status in enumerate(statuses):
            directory.put_api_key(
                {
                    "key_id": f"{outlet_id}-k{n}",
                    "outlet_id": outlet_id,
                    "created_at": f"2026-11-0{n + 1}",
                    "status": status,
                }
            )

    def task(self, repo, trigger, account_id, business_date, **kw):
        return make_task(trigger, account_id, business_date=business_date, **kw)["task_id"]

    def item(self, repo, kind, key, **fields):
        key_of = {
            "load": keys.agent_load,
            "slots": keys.outlet_key_slots,
            "reveals": keys.reveal_budget,
        }[kind]
        base.put({**key_of(*key), **fields})

    def granted(self, repo, actor_id):
        audit.record_granted(
            budget=10,
            actor_id=actor_id,
            actor_role="client_manager",
            subject_kind="prospect",
            subject_id="p1",
            branch_id="br-pudong",
            purpose="follow_up",
            fields=["phone"],
        )

    def refused(self, repo, actor_id):
        audit.record_refused(
            actor_id=actor_id,
            actor_role="client_manager",
            subject_kind="prospect",
            subject_id="p9",
            branch_id="br-pudong",
            purpose="follow_up",
            fields=[],
        )


class MemorySeed:
    def staff(self, repo, staff_id, role, branch_id="br-pudong"):
        repo.staff[staff_id] = {"staff_id": staff_id, "role": role, "branch_id": branch_id, "name": "某人"}

    def outlet(self, repo, outlet_id, *statuses):
        repo.outlets.append(outlet_id)
        repo.api_keys[outlet_id] = list(statuses)

    def task(self, repo, trigger, account_id, business_date, *, branch_id="br-pudong", status="open", **kw):
        task_id = keys.callback_task_id(trigger, account_id, business_date)
        repo.tasks[task_id] = {
            "task_id": task_id,
            "trigger": trigger,
            "account_id": account_id,
            "branch_id": branch_id,
            "business_date": business_date,
            "status": status,
            "assignee_id": kw.get("assignee_id", "cba-001"),
        }
        return task_id

    def item(self, repo, kind, key, **fields):
        store = {"load": repo.loads, "slots": repo.slots, "reveals": repo.reveals}[kind]
        store[key[0] if kind in ("load", "slots") else key] = dict(fields)

    def granted(self, repo, actor_id):
        repo.audit.append({"actor_id": actor_id, "day": DAY, "outcome": "granted"})
        held = repo.reveals.setdefault((actor_id, DAY), {})
        held["granted"] = held.get("granted", 0) + 1

    def refused(self, repo, actor_id):
        repo.audit.append({"actor_id": actor_id, "day": DAY, "outcome": "refused"})


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(f"{DAY}T10:00:00+08:00"):
        yield


@pytest.fixture(params=["memory", "dynamodb"])
def area(request):
    if request.param == "memory":
        return MemoryCounterRecords(), MemorySeed()
    return DynamoCounterRecords(), DynamoSeed()


def test_agents_their_load_counters_and_their_open_tasks(area):
    repo, seed = area
    seed.staff(repo, "cba-001", "callback_agent")
    seed.staff(repo, "cba-002", "callback_agent")
    seed.staff(repo, "cm-001", "client_manager")
    seed.item(repo, "load", ("cba-001",), open_tasks=3)
    seed.task(repo, "new_account", "A001", "2026-11-19", assignee_id="cba-001")
    seed.task(repo, "dormant", "A002", "2026-11-19", assignee_id="cba-001", status="in_progress")
    seed.task(repo, "sample", "A003", "2026-11-19", assignee_id="cba-001", status="done")
    assert sorted(a["staff_id"] for a in repo.callback_agents()) == ["cba-001", "cba-002"]
    assert repo.agent_loads(["cba-001", "cba-002"]) == {"cba-001": 3}
    assert repo.open_task_count("cba-001") == 2 and repo.open_task_count("cba-002") == 0
    assert repo.staff_ids() == ["cba-001", "cba-002", "cm-001"]


def test_an_open_tasks_repair_holds_only_while_the_counter_holds_what_was_read(area):
    repo, seed = area
    seed.item(repo, "load", ("cba-001",), open_tasks=3)
    assert not repo.set_open_tasks("cba-001", 4, 2)
    assert repo.set_open_tasks("cba-001", 3, 2) and repo.agent_loads(["cba-001"]) == {"cba-001": 2}
    assert not repo.set_open_tasks("cba-002", 0, 1)  # no counter: only an absent read matches
    assert repo.set_open_tasks("cba-002", None, 1) and repo.agent_loads(["cba-002"]) == {"cba-002": 1}


def test_outlet_key_slots_against_the_active_keys(area):
    repo, seed = area
    seed.outlet(repo, "ot-1", "active", "revoked", "active")
    seed.outlet(repo, "ot-2")
    assert sorted(repo.outlet_ids()) == ["ot-1", "ot-2"]
    assert repo.active_keys("ot-1") == 2 and repo.active_keys("ot-2") == 0
    assert repo.key_slots("ot-1") == (False, None)
    assert not repo.set_key_slots("ot-1", True, None, 2)
    assert repo.set_key_slots("ot-1", False, None, 2) and repo.key_slots("ot-1") == (True, 2)
    assert not repo.set_key_slots("ot-1", True, 1, 2)
    assert repo.set_key_slots("ot-1", True, 2, 1) and repo.key_slots("ot-1") == (True, 1)


def test_reveal_counters_against_the_granted_reveals_of_the_audit(area):
    repo, seed = area
    seed.granted(repo, "cm-001")
    seed.granted(repo, "cm-001")
    seed.refused(repo, "cm-002")
    assert repo.granted_reveals(DAY) == {"cm-001": 2} and repo.granted_reveals("2026-11-19") == {}
    assert repo.reveal_counters(["cm-001", "cm-002"], DAY) == {"cm-001": 2}
    assert repo.reveal_counters([], DAY) == {}
    assert repo.reveal_counter("cm-001", DAY) == (True, 2) and repo.reveal_counter("cm-002", DAY) == (False, None)
    assert not repo.set_reveal_counter("cm-001", DAY, True, 3, 2)
    assert repo.set_reveal_counter("cm-001", DAY, True, 2, 5) and repo.reveal_counter("cm-001", DAY) == (True, 5)
    seed.item(repo, "reveals", ("cm-003", DAY), alerted=True)  # a day of refusals only: the item, no count
    assert repo.reveal_counter("cm-003", DAY) == (True, None)
    assert repo.set_reveal_counter("cm-003", DAY, True, None, 0) and repo.reveal_counter("cm-003", DAY) == (True, 0)
