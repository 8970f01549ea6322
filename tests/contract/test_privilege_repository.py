"""One contract for `PrivilegeRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.directory_ports import RequestDecided, StaffChanged, StaffExists, StaffWrite
from chalicelib.storage.directory_repo import DynamoDirectoryRepository
from chalicelib.storage.memory.directory import MemoryDirectoryRepository, MemoryPrivilegeRepository
from chalicelib.storage.privilege_repo import DynamoPrivilegeRepository

DECISION = {"status": "approved", "decided_by": "ad-002", "decided_at": "2026-11-02T10:00:00+08:00"}


def request_record(request_id: str, at: str, staff_id: str = "cm-001") -> dict:
    return {
        "request_id": request_id,
        "staff_id": staff_id,
        "requested_by": "ad-001",
        "requested_at": at,
        "change": {"role": "compliance"},
        "reason": "audit duty",
        "status": "pending",
    }


def member(staff_id: str, role: str = "client_manager") -> dict:
    return {"staff_id": staff_id, "name": staff_id, "role": role, "branch_id": "br-pudong", "status": "active"}


def change(staff_id: str, at: str, change_id: str) -> dict:
    return {"change_id": change_id, "staff_id": staff_id, "at": at, "actor_id": "ad-001", "approved_by": "ad-002"}


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request):
    if request.param == "memory":
        directory = MemoryDirectoryRepository()
        return directory, MemoryPrivilegeRepository(directory)
    return DynamoDirectoryRepository(), DynamoPrivilegeRepository()


def test_requests_are_kept_and_listed_by_status_oldest_first(repos):
    _, repo = repos
    repo.put_request(request_record("r2", "2026-11-02T09:00:00+08:00"))
    repo.put_request(request_record("r1", "2026-11-01T09:00:00+08:00"))
    assert repo.get_request("r1") == request_record("r1", "2026-11-01T09:00:00+08:00")
    assert repo.get_request("r404") is None
    first = repo.list_requests("pending", limit=1)
    assert [r["request_id"] for r in first.items] == ["r1"]
    assert [r["request_id"] for r in repo.list_requests("pending", limit=1, start_key=first.last_key).items] == ["r2"]
    assert repo.list_requests("approved", limit=10).items == []


def test_an_approval_writes_the_decision_the_member_and_its_change_together(repos):
    directory, repo = repos
    directory.write_staff(StaffWrite(member("cm-001")))
    record = request_record("r1", "2026-11-01T09:00:00+08:00")
    repo.put_request(record)
    current = member("cm-001")
    write = StaffWrite(
        {**current, "role": "compliance"},
        current=current,
        changes={"role": "compliance"},
        change=change("cm-001", "2026-11-02T10:00:00+08:00", "c1"),
    )
    repo.decide(record, DECISION, write)
    assert repo.get_request("r1")["status"] == "approved"
    assert directory.get_staff("cm-001")["role"] == "compliance"
    assert [c["change_id"] for c in repo.list_changes("2026-11", limit=10).items] == ["c1"]
    with pytest.raises(RequestDecided):  # decided first: checked before the member
        repo.decide(record, {**DECISION, "decided_by": "ad-003"}, write)
    assert repo.get_request("r1")["decided_by"] == "ad-002"


def test_an_approval_for_a_member_who_changed_writes_nothing(repos):
    directory, repo = repos
    directory.write_staff(StaffWrite(member("cm-001", role="supervisor")))
    record = request_record("r1", "2026-11-01T09:00:00+08:00")
    repo.put_request(record)
    stale = member("cm-001")
    with pytest.raises(StaffChanged):
        repo.decide(record, DECISION, StaffWrite({**stale, "role": "admin"}, current=stale, changes={"role": "admin"}))
    with pytest.raises(StaffExists):
        repo.decide(record, DECISION, StaffWrite(member("cm-001", role="admin")))
    assert repo.get_request("r1")["status"] == "pending"
    assert directory.get_staff("cm-001")["role"] == "supervisor"


def test_a_rejection_writes_the_decision_only(repos):
    directory, repo = repos
    record = request_record("r1", "2026-11-01T09:00:00+08:00")
    repo.put_request(record)
    repo.decide(record, {**DECISION, "status": "rejected"})
    assert repo.get_request("r1")["status"] == "rejected"
    assert [r["request_id"] for r in repo.list_requests("rejected", limit=10).items] == ["r1"]
    assert repo.list_requests("pending", limit=10).items == []
    with pytest.raises(RequestDecided):
        repo.decide(record, DECISION)


def test_change_records_are_listed_by_month_newest_first(repos):
    directory, repo = repos
    directory.write_staff(StaffWrite(member("cm-001"), change=change("cm-001", "2026-11-01T09:00:00+08:00", "a")))
    directory.write_staff(StaffWrite(member("cm-002"), change=change("cm-002", "2026-11-03T09:00:00+08:00", "b")))
    directory.write_staff(StaffWrite(member("cm-003"), change=change("cm-003", "2026-12-01T09:00:00+08:00", "c")))
    first = repo.list_changes("2026-11", limit=1)
    assert [c["change_id"] for c in first.items] == ["b"]
    assert first.items[0] == change("cm-002", "2026-11-03T09:00:00+08:00", "b")
    assert [c["change_id"] for c in repo.list_changes("2026-11", limit=1, start_key=first.last_key).items] == ["a"]
    assert [c["change_id"] for c in repo.list_changes("2026-12", limit=10).items] == ["c"]
