"""One contract for `LeaveRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.leave_ports import LeaveChanged, LeaveExists
from chalicelib.models.leave import LeaveStatus
from chalicelib.storage.leave_repo import DynamoLeaveRepository
from chalicelib.storage.memory.leave import MemoryLeaveRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryLeaveRepository()
        fake.add_staff("cm-001", "br-pudong")
        return fake
    from chalicelib.storage import directory

    directory.put_staff({"staff_id": "cm-001", "branch_id": "br-pudong", "role": "client_manager"})
    return DynamoLeaveRepository()


def leave(lid: str, start: str, end: str | None = None, *, status: str = "pending", manager: str = "cm-001", **kw):
    return {
        "leave_id": lid,
        "manager_id": manager,
        "branch_id": "br-pudong",
        "kind": "personal",
        "start_date": start,
        "end_date": end or start,
        "half_day": None,
        "reason": "家事",
        "days": "1",
        "status": status,
        "revision": 1,
        **kw,
    }


def test_a_leave_is_created_once_and_read_back_without_its_none_attributes(repo):
    repo.create(leave("lv-1", "2026-11-23"))
    with pytest.raises(LeaveExists):
        repo.create(leave("lv-1", "2026-11-24"))
    stored = repo.get("lv-1")
    assert stored["start_date"] == "2026-11-23" and "half_day" not in stored
    assert repo.get("lv-9") is None


def test_a_change_on_the_revision_and_status_read_wins_once(repo):
    repo.create(leave("lv-1", "2026-11-23"))
    repo.replace(
        leave("lv-1", "2026-11-23", status="approved", revision=2),
        expected_revision=1,
        expected_status=LeaveStatus.pending,
    )
    for revision, status in ((1, LeaveStatus.pending), (2, LeaveStatus.pending)):
        with pytest.raises(LeaveChanged):
            repo.replace(
                leave("lv-1", "2026-11-23", status="withdrawn", revision=3),
                expected_revision=revision,
                expected_status=status,
            )
    assert repo.get("lv-1")["status"] == "approved" and repo.get("lv-1")["revision"] == 2


def test_lists_are_latest_first_day_first_by_month_status_and_page(repo):
    repo.create(leave("lv-1", "2026-10-30"))
    repo.create(leave("lv-2", "2026-11-03", status="approved"))
    repo.create(leave("lv-3", "2026-11-10"))
    repo.create(leave("lv-4", "2026-11-12", manager="cm-002"))
    first = repo.list_manager("cm-001", None, limit=2)
    assert [r["leave_id"] for r in first.items] == ["lv-3", "lv-2"] and first.last_key
    rest = repo.list_manager("cm-001", None, limit=2, start_key=first.last_key)
    assert [r["leave_id"] for r in rest.items] == ["lv-1"] and rest.last_key is None
    assert [r["leave_id"] for r in repo.list_manager("cm-001", "2026-11", limit=5).items] == ["lv-3", "lv-2"]
    pending = repo.list_manager("cm-001", None, limit=5, status=LeaveStatus.pending)
    assert [r["leave_id"] for r in pending.items] == ["lv-3", "lv-1"]
    branch = repo.list_branch("br-pudong", "2026-11", limit=5)
    assert [r["leave_id"] for r in branch.items] == ["lv-4", "lv-3", "lv-2"]
    approved = repo.list_branch("br-pudong", None, limit=1, status=LeaveStatus.approved)
    assert [r["leave_id"] for r in approved.items] == ["lv-2"]


def test_leave_starting_in_a_range_is_found_by_first_day_inclusive(repo):
    for lid, start in (("lv-1", "2026-11-01"), ("lv-2", "2026-11-10"), ("lv-3", "2026-11-20")):
        repo.create(leave(lid, start))
    found = repo.starting_between("cm-001", "2026-11-01", "2026-11-10")
    assert [r["leave_id"] for r in found] == ["lv-1", "lv-2"]
    assert repo.starting_between("cm-002", "2026-11-01", "2026-11-30") == []


def test_the_directory_answers_for_staff(repo):
    assert repo.get_staff("cm-001")["branch_id"] == "br-pudong" and repo.get_staff("cm-999") is None
