"""One contract for `CallbackWorkRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake the
rule tests use: if the fake drifts from the table, this fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from chalicelib.domain.callback_ports import AttemptWrite, RequestClose, TaskChange, TaskChanged
from chalicelib.models.tasks import TaskRecord, task_id_of
from chalicelib.storage import base, keys
from chalicelib.storage.callback_work_repo import DynamoCallbackWorkRepository
from chalicelib.storage.memory.callback_work import MemoryCallbackWork
from chalicelib.storage.tasks import task_item
from tests.factories.tasks import make_account

PHONE = "13812345678"


@dataclass
class World:
    repo: Any
    memory: bool

    def task(self, account_id: str = "A1", trigger: str = "new_account", **kw) -> dict:
        due_on = kw.pop("due_on", "2026-11-20")
        record = TaskRecord(
            task_id=task_id_of(trigger, account_id, "2026-11-19"),
            trigger=trigger,
            episode="2026-11-19",
            account_id=account_id,
            branch_id=kw.pop("branch_id", "br-pudong"),
            client_name="张三",
            business_date=date(2026, 11, 19),
            created_at="2026-11-19T06:00:00+08:00",
            due_on=date.fromisoformat(due_on),
            due_at=f"{due_on}T23:59:59+08:00",
            risk=trigger == "large_outflow",
            **kw,
        ).model_dump(mode="json", exclude_none=True)
        if self.memory:
            self.repo.add_task(record)
        else:
            base.put(task_item(record))
        return self.repo.get_task(record["task_id"])

    def account(self, account_id: str = "A1", branch_id: str = "br-pudong") -> None:
        if self.memory:
            self.repo.add_account(account_id, branch_id=branch_id, phone=PHONE, client_name="张三")
        else:
            make_account(account_id, branch_id=branch_id, phone=PHONE)


@pytest.fixture(params=["memory", "dynamodb"])
def world(request):
    memory = request.param == "memory"
    return World(MemoryCallbackWork() if memory else DynamoCallbackWorkRepository(), memory)


def test_a_task_reads_as_a_copy_and_an_absent_one_as_none(world):
    t = world.task(assignee_id="cba-1")
    assert t["assignee_id"] == "cba-1" and "pk" not in t and "gsi1pk" not in t
    t["status"] = "mutated"
    assert world.repo.get_task(t["task_id"])["status"] == "open"
    assert world.repo.get_task("absent") is None
    assert world.repo.history("absent").task is None


def test_lists_hold_open_tasks_in_the_agents_order_and_page(world):
    a = world.task("A1", assignee_id="cba-1", due_on="2026-11-21")
    b = world.task("A2", trigger="large_outflow", assignee_id="cba-1", due_on="2026-11-22")
    c = world.task("A3", assignee_id="cba-1", due_on="2026-11-20")
    q = world.task("A4")
    world.task("A5", assignee_id="cba-1", status="done")
    first = world.repo.list_open_for_agent("cba-1", limit=2)
    assert [t["task_id"] for t in first.items] == [b["task_id"], c["task_id"]]  # risk first, then the deadline
    rest = world.repo.list_open_for_agent("cba-1", limit=2, start_key=first.last_key)
    assert [t["task_id"] for t in rest.items] == [a["task_id"]] and rest.last_key is None
    assert [t["task_id"] for t in world.repo.open_tasks_of_agent("cba-1")] == [b["task_id"], c["task_id"], a["task_id"]]
    assert [t["task_id"] for t in world.repo.list_branch_queue("br-pudong", limit=5).items] == [q["task_id"]]
    assert [t["task_id"] for t in world.repo.branch_queue_all("br-pudong")] == [q["task_id"]]
    assert len(world.repo.tasks_of_month("br-pudong", "2026-11")) == 5
    assert world.repo.tasks_of_month("br-other", "2026-11") == []
    assert {t["task_id"] for t in world.repo.open_tasks_due_on("2026-11-20")} == {c["task_id"], q["task_id"]}


def test_save_is_guarded_by_what_was_read_and_moves_the_load_with_it(world):
    t = world.task()
    world.repo.save(TaskChange({**t, "assignee_id": "cba-1", "revision": 1}, t), load=("cba-1", 1))
    assert world.repo.get_task(t["task_id"])["assignee_id"] == "cba-1"
    assert world.repo.agent_load("cba-1") == 1
    with pytest.raises(TaskChanged):  # a second claimer still holds the unassigned copy
        world.repo.save(TaskChange({**t, "assignee_id": "cba-2", "revision": 1}, t), load=("cba-2", 1))
    assert world.repo.get_task(t["task_id"])["assignee_id"] == "cba-1" and world.repo.agent_load("cba-2") == 0
    # A finished task leaves the open lists in the same write.
    held = world.repo.get_task(t["task_id"])
    world.repo.save(TaskChange({**held, "status": "done", "revision": 2}, held))
    assert world.repo.open_tasks_of_agent("cba-1") == [] and world.repo.open_tasks_due_on("2026-11-20") == []
    world.repo.release_load("cba-1")
    world.repo.release_load("cba-1")  # never below zero
    assert world.repo.agent_load("cba-1") == 0


def _attempt(task: dict, attempt_id: str = "at1", at: str = "2026-11-20T10:00:00+08:00") -> dict:
    return {"attempt_id": attempt_id, "task_id": task["task_id"], "at": at, "agent_id": "cba-1", "reached": False}


def test_an_attempt_bundle_is_all_or_nothing(world):
    world.account()
    t = world.task(assignee_id="cba-1")
    waiting = {
        **t,
        "status": "in_progress",
        "revision": 1,
        "waiting_on": "contact_update",
        "contact_request_at": "2026-11-20T10:00:00+08:00",
        "contact_request_due_on": "2026-11-24",
    }
    request = {
        "account_id": "A1",
        "task_id": t["task_id"],
        "branch_id": "br-pudong",
        "requested_at": "2026-11-20T10:00:00+08:00",
        "due_on": "2026-11-24",
        "status": "open",
        "reason": "wrong_number",
    }
    world.repo.record_attempt(AttemptWrite(TaskChange(waiting, t), _attempt(t), contact_request=request))
    found = world.repo.history(t["task_id"])
    assert found.task["waiting_on"] == "contact_update" and [a["attempt_id"] for a in found.attempts] == ["at1"]
    assert [r["task_id"] for r in world.repo.open_requests("A1")] == [t["task_id"]]
    assert [r["task_id"] for r in world.repo.list_branch_requests("br-pudong", limit=5).items] == [t["task_id"]]
    assert [r["task_id"] for r in world.repo.requests_due_on("2026-11-24")] == [t["task_id"]]
    # A stale copy: nothing is written, not even the attempt.
    with pytest.raises(TaskChanged):
        world.repo.record_attempt(AttemptWrite(TaskChange({**t, "status": "done"}, t), _attempt(t, "at2")))
    assert len(world.repo.history(t["task_id"]).attempts) == 1
    current = world.repo.get_task(t["task_id"])
    fallback = {**t, "task_id": task_id_of("fallback", "A1", "x"), "trigger": "fallback", "episode": "x"}
    close = RequestClose(request, "withdrawn", {"closed_at": "2026-11-20T11:00:00+08:00"})
    done = {**current, "status": "done", "revision": 2, "waiting_on": None}
    world.repo.record_attempt(
        AttemptWrite(TaskChange(done, current), _attempt(t, "at3"), withdraw=close, fallback=fallback)
    )
    assert world.repo.open_requests("A1") == [] and world.repo.requests_due_on("2026-11-24") == []
    assert world.repo.get_task(fallback["task_id"])["trigger"] == "fallback"
    # The request is closed now: a second close refuses the whole bundle.
    again = world.repo.get_task(t["task_id"])
    with pytest.raises(TaskChanged):
        world.repo.close_request(close, change=TaskChange({**again, "revision": 3}, again))
    assert world.repo.get_task(t["task_id"])["revision"] == 2


def test_a_review_is_kept_with_its_task(world):
    t = world.task(status="done")
    review = {"review_id": "r1", "task_id": t["task_id"], "at": "2026-11-21T10:00:00+08:00", "result": "pass"}
    world.repo.record_review(TaskChange({**t, "review": {"result": "pass"}, "revision": 1}, t), review)
    found = world.repo.history(t["task_id"])
    assert [r["review_id"] for r in found.reviews] == ["r1"] and found.task["review"] == {"result": "pass"}
    with pytest.raises(TaskChanged):
        world.repo.record_review(TaskChange(t, t), {**review, "review_id": "r2"})


def test_flag_overdue_once_and_only_open(world):
    t = world.task()
    closed = world.task("A2", status="done")
    assert world.repo.flag_overdue(t, "2026-11-21T00:05:00+08:00") is True
    assert world.repo.flag_overdue(t, "2026-11-21T01:05:00+08:00") is False
    got = world.repo.get_task(t["task_id"])
    assert got["overdue"] is True and got["overdue_at"] == "2026-11-21T00:05:00+08:00" and got["revision"] == 1
    assert world.repo.flag_overdue(closed, "2026-11-21T00:05:00+08:00") is False


def test_accounts_show_masked_contacts_and_the_clear_phone_only_on_request(world):
    world.account("A1")
    assert world.repo.masked_contact("A1").phone_masked == "138****5678"
    assert world.repo.masked_phones(["A1", "absent"]) == {"A1": "138****5678"}
    contact = world.repo.account_contact("A1")
    assert contact.phone == PHONE and contact.branch_id == "br-pudong" and not contact.contact_needs_update
    assert world.repo.account_contact("absent") is None
    world.repo.mark_contact_for_update("A1", "2026-11-20T10:00:00+08:00", "t1")
    world.repo.mark_contact_for_update("absent", "2026-11-20T10:00:00+08:00", "t1")  # not in the feed yet
    assert world.repo.masked_contact("A1").contact_needs_update is True
    assert world.repo.masked_contact("absent").phone_masked is None
    assert PHONE not in world.repo.seal_phone(PHONE)
    assert keys.callback_task_id("fallback", "A1", "x") == task_id_of("fallback", "A1", "x")


def test_a_wrong_number_flags_the_accounts_other_open_tasks_and_a_new_phone_refreshes_them(world):
    world.account("A1")
    flagged = world.task("A1", assignee_id="cba-1", phone_masked="138****5678")
    other = world.task("A1", trigger="dormant", assignee_id="cba-2", phone_masked="138****5678")
    done = world.task("A1", trigger="periodic", status="done", phone_masked="138****5678")
    world.repo.mark_contact_for_update("A1", "2026-11-20T10:00:00+08:00", flagged["task_id"])
    got = world.repo.get_task(other["task_id"])
    assert got["contact_needs_update"] is True and got["revision"] == 1  # a stale copy's put now fails
    assert "contact_needs_update" not in world.repo.get_task(flagged["task_id"])  # its own write carries it
    assert sorted(world.repo.refresh_contacts("A1", "139****0000")) == sorted([flagged["task_id"], other["task_id"]])
    got = world.repo.get_task(other["task_id"])
    assert got["phone_masked"] == "139****0000" and "contact_needs_update" not in got
    assert world.repo.get_task(done["task_id"])["phone_masked"] == "138****5678"  # a finished task is read-only
    assert world.repo.refresh_contacts("A1", "139****0000") == []  # delivered twice: nothing more
