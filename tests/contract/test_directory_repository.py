"""One contract for `DirectoryRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.directory_ports import (
    BranchAlreadyClosed,
    BranchExists,
    Escalation,
    OutletExists,
    OutletMissing,
    StaffChanged,
    StaffExists,
    StaffWrite,
)
from chalicelib.storage.directory_repo import DynamoDirectoryRepository
from chalicelib.storage.memory.directory import MemoryDirectoryRepository

BRANCH = {"branch_id": "br-pudong", "name": "浦东分公司", "status": "active"}
OUTLET = {"outlet_id": "ot-1", "branch_id": "br-pudong", "name": "陆家嘴营业部", "status": "active"}


def member(staff_id: str, role: str = "client_manager", branch_id: str = "br-pudong", **fields) -> dict:
    return {"staff_id": staff_id, "name": staff_id, "role": role, "branch_id": branch_id, "status": "active", **fields}


def change(staff_id: str, at: str, change_id: str) -> dict:
    return {"change_id": change_id, "staff_id": staff_id, "at": at, "actor_id": "ad-001", "after": {"role": "x"}}


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryDirectoryRepository()
        fake.add_branch("br-pudong", BRANCH["name"], status="active")
        fake.add_outlet("ot-1", "br-pudong", name=OUTLET["name"], status="active")
        return fake
    from chalicelib.storage import directory

    directory.put_branch(dict(BRANCH))
    directory.put_outlet(dict(OUTLET), new=True)
    return DynamoDirectoryRepository()


def test_a_new_member_is_written_once_with_its_change_record(repo):
    repo.write_staff(StaffWrite(member("cm-001"), change=change("cm-001", "2026-11-02T09:00:00+08:00", "c1")))
    assert repo.get_staff("cm-001") == member("cm-001")
    with pytest.raises(StaffExists):
        repo.write_staff(StaffWrite(member("cm-001", name="again")))
    assert repo.get_staff("cm-001")["name"] == "cm-001"
    assert repo.get_staff("nobody") is None


def test_an_update_sets_only_the_changes_and_is_refused_when_the_role_moved_meanwhile(repo):
    repo.write_staff(StaffWrite(member("cm-001", open_tasks=3)))
    current = member("cm-001")  # read before open_tasks moved: the counter is kept anyway
    changes = {"name": "王芳", "departed_on": None}
    repo.write_staff(StaffWrite({**current, **changes}, current=current, changes=changes))
    assert repo.get_staff("cm-001") == {**member("cm-001", open_tasks=3), "name": "王芳"}
    stale = member("cm-001", role="supervisor")
    with pytest.raises(StaffChanged):
        repo.write_staff(StaffWrite({**stale, "name": "x"}, current=stale, changes={"name": "x"}))
    gone = member("cm-404")
    with pytest.raises(StaffChanged):
        repo.write_staff(StaffWrite(gone, current=gone, changes={"name": "x"}))
    assert repo.get_staff("cm-001")["name"] == "王芳"


def test_a_refused_write_writes_neither_the_member_nor_its_hand_over(repo):
    repo.write_staff(StaffWrite(member("cm-001")))
    stale = member("cm-001", status="departed")
    with pytest.raises(StaffChanged):
        repo.write_staff(
            StaffWrite({**stale, "name": "x"}, current=stale, changes={"name": "x"}),
            handover=Escalation("cm-001#t1", {"staff_id": "cm-001"}),
        )
    current = member("cm-001")
    repo.write_staff(
        StaffWrite({**current, "status": "departed"}, current=current, changes={"status": "departed"}),
        handover=Escalation("cm-001#t2", {"staff_id": "cm-001"}),
    )
    assert repo.get_staff("cm-001")["status"] == "departed"


def test_branch_staff_by_role_then_id_and_all_staff_by_id_in_pages(repo):
    for staff_id, role, branch in [
        ("cm-002", "client_manager", "br-pudong"),
        ("sv-001", "supervisor", "br-pudong"),
        ("cm-001", "client_manager", "br-pudong"),
        ("cm-900", "client_manager", "br-jingan"),
    ]:
        repo.write_staff(StaffWrite(member(staff_id, role, branch)))
    first = repo.list_branch_staff("br-pudong", None, limit=2)
    assert [s["staff_id"] for s in first.items] == ["cm-001", "cm-002"]
    rest = repo.list_branch_staff("br-pudong", None, limit=2, start_key=first.last_key)
    assert [s["staff_id"] for s in rest.items] == ["sv-001"] and rest.last_key is None
    assert [s["staff_id"] for s in repo.list_branch_staff("br-pudong", "supervisor", limit=10).items] == ["sv-001"]
    assert sorted(s["staff_id"] for s in repo.all_branch_staff("br-pudong")) == ["cm-001", "cm-002", "sv-001"]
    assert first.items[0] == member("cm-001")  # records, not table items
    everyone = repo.list_all_staff(limit=3)
    assert [s["staff_id"] for s in everyone.items] == ["cm-001", "cm-002", "cm-900"]
    assert [s["staff_id"] for s in repo.list_all_staff(limit=3, start_key=everyone.last_key).items] == ["sv-001"]


def test_outlets_new_once_replaced_whole_and_listed_by_branch(repo):
    assert repo.get_outlet("ot-1") == OUTLET
    with pytest.raises(OutletExists):
        repo.put_outlet(dict(OUTLET), new=True)
    repo.put_outlet({**OUTLET, "name": "新名"}, new=False)
    assert repo.read_outlet("ot-1")["name"] == "新名"
    assert repo.get_outlet("ot-1")["name"] == "新名"  # a write drops the cached copy
    with pytest.raises(OutletMissing):
        repo.put_outlet({**OUTLET, "outlet_id": "ot-404"}, new=False)
    repo.put_outlet({**OUTLET, "outlet_id": "ot-0"}, new=True)
    repo.put_outlet({**OUTLET, "outlet_id": "ot-9", "branch_id": "br-jingan"}, new=True)
    assert [o["outlet_id"] for o in repo.list_outlets("br-pudong", limit=10).items] == ["ot-0", "ot-1"]
    page = repo.list_outlets(None, limit=2)
    assert [o["outlet_id"] for o in page.items] == ["ot-0", "ot-1"]
    assert [o["outlet_id"] for o in repo.list_outlets(None, limit=2, start_key=page.last_key).items] == ["ot-9"]
    assert repo.read_outlet("ot-404") is None


def test_branches_new_once_listed_by_id_and_closed_once(repo):
    with pytest.raises(BranchExists):
        repo.put_new_branch(dict(BRANCH))
    repo.put_new_branch({"branch_id": "br-a", "name": "A", "status": "active"})
    assert [b["branch_id"] for b in repo.list_branches()] == ["br-a", "br-pudong"]
    closed = repo.close_branch("br-a", "2026-11-02T09:00:00+08:00", "ad-001")
    assert closed == {
        "branch_id": "br-a",
        "name": "A",
        "status": "closed",
        "closed_at": "2026-11-02T09:00:00+08:00",
        "closed_by": "ad-001",
    }
    assert repo.get_branch("br-a") == closed
    with pytest.raises(BranchAlreadyClosed):
        repo.close_branch("br-a", "2026-11-03T09:00:00+08:00", "ad-001")
    with pytest.raises(BranchAlreadyClosed):
        repo.close_branch("br-404", "2026-11-03T09:00:00+08:00", "ad-001")
    assert repo.get_branch("br-404") is None
