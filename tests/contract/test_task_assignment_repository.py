"""One contract for `TaskAssignmentRepository`, on the DynamoDB adapter (moto, or DynamoDB Local under
`make test-ddb`) and on the in-memory fake the rule tests use."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.task_assignment_ports import StaffMember, TaskChangedMeanwhile
from chalicelib.models.task_assignment import AssignmentEntry
from chalicelib.models.tasks import TaskRecord
from chalicelib.storage import base, directory, keys
from chalicelib.storage.memory.task_assignment import MemoryTaskAssignmentRepository
from chalicelib.storage.task_assignment_repo import DynamoTaskAssignmentRepository
from chalicelib.storage.tasks import task_item


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemoryTaskAssignmentRepository() if request.param == "memory" else DynamoTaskAssignmentRepository()


def task(assignee: str | None = None, **kw) -> TaskRecord:
    values = {
        "task_id": "new_account.A1.2026-11-19",
        "trigger": "new_account",
        "episode": "2026-11-19",
        "account_id": "A1",
        "branch_id": "br-pudong",
        "serving_manager_id": "cm-001",
        "business_date": date(2026, 11, 19),
        "created_at": "2026-11-19T06:00:00+08:00",
        "due_on": date(2026, 11, 20),
        "due_at": "2026-11-20T23:59:59+08:00",
        "assignee_id": assignee,
    }
    values.update(kw)
    return TaskRecord.model_validate(values)


def seed(repo, record: TaskRecord, *staff: StaffMember) -> None:
    if isinstance(repo, MemoryTaskAssignmentRepository):
        repo.put_task(record)
        for s in staff:
            repo.put_staff(s)
        return
    base.put_new(task_item(record.model_dump(mode="json", exclude_none=True)))
    for s in staff:
        directory.put_staff(
            {
                "staff_id": s.staff_id,
                "name": s.name or s.staff_id,
                "role": s.role,
                "branch_id": s.branch_id,
                "status": s.status,
                "outlet_ids": [],
            }
        )


def entry(record: TaskRecord, to: str, *, revision: int = 0, **kw) -> AssignmentEntry:
    values = {
        "assignment_id": f"{revision:07d}",
        "task_id": record.task_id,
        "branch_id": record.branch_id,
        "from_agent_id": record.assignee_id,
        "to_agent_id": to,
        "by": "cbl-001",
        "by_role": "callback_lead",
        "at": "2026-11-20T10:00:00+08:00",
        "from_revision": revision,
    }
    values.update(kw)
    return AssignmentEntry.model_validate(values)


AGENT_1 = StaffMember("cba-901", "callback_agent", "br-pudong", "active", "陈一")


def test_get_task_and_staff(repo):
    assert repo.get_task("nope") is None and repo.staff("nope") is None
    seed(repo, task(), AGENT_1)
    got = repo.get_task("new_account.A1.2026-11-19")
    assert got is not None and got.assignee_id is None and got.status == "open" and got.branch_id == "br-pudong"
    member = repo.staff("cba-901")
    assert member is not None and (member.role, member.branch_id, member.status) == (
        "callback_agent",
        "br-pudong",
        "active",
    )


def test_assign_from_the_queue_moves_the_load_and_records_history(repo):
    before = task()
    seed(repo, before)
    after = before.model_copy(update={"assignee_id": "cba-901", "revision": 1})
    repo.assign(before, after, entry(before, "cba-901"))
    got = repo.get_task(before.task_id)
    assert got.assignee_id == "cba-901" and got.revision == 1
    assert repo.load("cba-901") == 1
    [h] = repo.history(before.task_id)
    assert h.from_agent_id is None and h.to_agent_id == "cba-901" and h.by == "cbl-001" and h.from_revision == 0


def test_reassign_moves_one_task_between_counters_and_keeps_history_in_order(repo):
    first = task()
    seed(repo, first)
    second = first.model_copy(update={"assignee_id": "cba-901", "revision": 1})
    repo.assign(first, second, entry(first, "cba-901"))
    third = second.model_copy(update={"assignee_id": "cba-902", "revision": 2})
    repo.assign(second, third, entry(second, "cba-902", revision=1))
    assert repo.load("cba-901") == 0 and repo.load("cba-902") == 1
    assert [(h.from_agent_id, h.to_agent_id) for h in repo.history(first.task_id)] == [
        (None, "cba-901"),
        ("cba-901", "cba-902"),
    ]
    got = repo.get_task(first.task_id)
    assert got.assignee_id == "cba-902" and got.revision == 2


@pytest.mark.parametrize(
    "stale",
    [
        {"revision": 3},  # another write bumped the revision
        {"assignee_id": "cba-777"},  # someone claimed it meanwhile
        {"status": "done"},  # finished meanwhile
    ],
)
def test_a_task_that_moved_meanwhile_writes_nothing(repo, stale):
    stored = task(**stale)
    seed(repo, stored)
    read = task()  # what the caller read earlier: open, unassigned, revision 0
    with pytest.raises(TaskChangedMeanwhile):
        repo.assign(read, read.model_copy(update={"assignee_id": "cba-901", "revision": 1}), entry(read, "cba-901"))
    assert repo.load("cba-901") == 0 and repo.history(read.task_id) == []
    assert repo.get_task(read.task_id).assignee_id == stale.get("assignee_id")


def test_the_same_move_twice_is_refused_by_its_history_key(repo):
    before = task()
    seed(repo, before)
    after = before.model_copy(update={"assignee_id": "cba-901", "revision": 1})
    repo.assign(before, after, entry(before, "cba-901"))
    with pytest.raises(TaskChangedMeanwhile):
        repo.assign(before, after, entry(before, "cba-901"))
    assert repo.load("cba-901") == 1 and len(repo.history(before.task_id)) == 1


def test_the_queue_index_follows_the_holder(repo):
    if isinstance(repo, MemoryTaskAssignmentRepository):
        pytest.skip("the fake keeps no index: the table's queue and agent lists are the adapter's business")
    before = task()
    seed(repo, before)
    assert [i["task_id"] for i in base.query_all("BRANCH#br-pudong#QUEUE", index="gsi1")] == [before.task_id]
    repo.assign(before, before.model_copy(update={"assignee_id": "cba-901", "revision": 1}), entry(before, "cba-901"))
    assert base.query_all("BRANCH#br-pudong#QUEUE", index="gsi1") == []
    assert [i["task_id"] for i in base.query_all("AGENT#cba-901#OPEN", index="gsi1")] == [before.task_id]
    assert base.get_item(**keys.agent_load("cba-901"))["open_tasks"] == 1
