"""One contract for `CalendarRepository`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.calendar_ports import CalendarVersionTaken
from chalicelib.errors import Conflict
from chalicelib.storage import base, keys, tasks
from chalicelib.storage.calendar_repo import DynamoCalendarRepository
from chalicelib.storage.memory.calendar import MemoryCalendarRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemoryCalendarRepository() if request.param == "memory" else DynamoCalendarRepository()


def seed_task(repo, task_id: str, *, due_on: str = "2031-01-06", provisional: bool = True, status: str = "open"):
    task = {
        "task_id": task_id,
        "branch_id": "br-pudong",
        "account_id": "A1",
        "assignee_id": "ag-001",
        "trigger": "new_account",
        "status": status,
        "business_date": "2031-01-02",
        "created_at": "2031-01-02T10:00:00+08:00",
        "due_on": due_on,
        "due_at": f"{due_on}T23:59:59+08:00",
        "due_provisional": provisional,
        "revision": 0,
    }
    if isinstance(repo, MemoryCalendarRepository):
        repo.add_task(task)
    else:
        base.put(tasks.task_item(task))
    return task


def version(year: int, n: int, **kw) -> dict:
    return {"year": year, "version": n, "holidays": [f"{year}-01-01"], "makeup_workdays": [], **kw}


def test_an_unpublished_year_has_no_version(repo):
    assert repo.newest(2031) is None
    assert repo.cached_newest(2031) is None
    assert repo.versions(2031) == []


def test_versions_are_kept_and_the_newest_is_read(repo):
    repo.put_version(version(2031, 1, note="first"))
    repo.put_version(version(2031, 2, note="second"))
    repo.put_version(version(2032, 1))
    assert repo.newest(2031)["note"] == "second"
    assert [v["version"] for v in repo.versions(2031)] == [1, 2]
    repo.forget_cached()
    assert repo.cached_newest(2031)["version"] == 2


def test_a_taken_version_is_refused_and_the_first_kept(repo):
    repo.put_version(version(2031, 1, note="first"))
    with pytest.raises(CalendarVersionTaken) as err:
        repo.put_version(version(2031, 1, note="second"))
    assert isinstance(err.value, Conflict) and (err.value.year, err.value.version) == (2031, 1)
    assert repo.newest(2031)["note"] == "first"


def test_reads_are_copies(repo):
    repo.put_version(version(2031, 1))
    repo.newest(2031)["holidays"].append("2031-12-25")
    assert repo.newest(2031)["holidays"] == ["2031-01-01"]


def test_provisional_tasks_are_the_open_ones_of_the_year_with_a_provisional_due_date(repo):
    seed_task(repo, "t1")
    seed_task(repo, "t2", provisional=False)
    seed_task(repo, "t3", due_on="2032-01-05")
    seed_task(repo, "t4", status="done")
    assert [t["task_id"] for t in repo.provisional_tasks(2031)] == ["t1"]


def test_every_provisional_task_of_a_year_is_found_across_the_index_shards(repo):
    # issue 18: the year key is sharded (a November run puts every task due next year on it).
    ids = [f"t{i:02d}" for i in range(24)]
    for task_id in ids:
        seed_task(repo, task_id)
    assert sorted(t["task_id"] for t in repo.provisional_tasks(2031)) == ids
    assert len({keys.task_provisional_index(2031, t)["gsi5pk"] for t in ids}) > 1


def test_a_task_is_replaced_only_as_it_was_read(repo):
    task = seed_task(repo, "t1")
    fixed = {**task, "due_on": "2031-01-07", "due_provisional": False}
    assert repo.replace_task(task, fixed) is True
    assert repo.provisional_tasks(2031) == []  # off the provisional index
    assert repo.replace_task(task, {**task, "due_on": "2031-01-08"}) is False  # the revision moved on
    assert repo.replace_task({**task, "task_id": "nope"}, {**task, "task_id": "nope"}) is False
