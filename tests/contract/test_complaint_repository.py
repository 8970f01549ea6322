"""One contract for `ComplaintRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.complaint_ports import AlreadyEscalated, ComplaintChanged, ComplaintExists, Escalation
from chalicelib.storage.complaints_repo import DynamoComplaintRepository
from chalicelib.storage.memory.complaints import MemoryComplaintRepository

ACCOUNT = {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001"}


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryComplaintRepository()
        fake.accounts["ac-1"] = dict(ACCOUNT)
        fake.add_staff("cm-001", "br-pudong")
        fake.add_staff("cm-002", "br-pudong")
        fake.add_staff("sup-001", "br-pudong", "supervisor")
        return fake
    from chalicelib.storage import base, directory, keys

    base.put({**keys.account("ac-1"), **ACCOUNT})
    for staff_id, role in (("cm-001", "client_manager"), ("cm-002", "client_manager"), ("sup-001", "supervisor")):
        directory.put_staff({"staff_id": staff_id, "branch_id": "br-pudong", "role": role, "status": "active"})
    return DynamoComplaintRepository()


def complaint(cid: str, received: str = "2026-11-20T09:00:00+08:00", **kw) -> dict:
    return {
        "complaint_id": cid,
        "branch_id": "br-pudong",
        "account_id": "ac-1",
        "owner_id": "cm-001",
        "channel": "phone",
        "content": "服务态度",
        "received_at": received,
        "due_at": "2026-11-21T09:00:00+08:00",
        "status": "open",
        "escalated": False,
        "revision": 1,
        "task_id": None,
        **kw,
    }


def escalation(cid: str) -> Escalation:
    return Escalation(f"complaint_overdue:{cid}", {"kind": "complaint_overdue", "record": {"complaint_id": cid}})


def test_a_complaint_is_recorded_once_and_changes_on_the_revision_read(repo):
    repo.create(complaint("c-1"))
    with pytest.raises(ComplaintExists):
        repo.create(complaint("c-1", content="again"))
    assert repo.get("c-1")["content"] == "服务态度" and "task_id" not in repo.get("c-1")
    repo.replace(complaint("c-1", status="in_progress", revision=2), expected_revision=1)
    with pytest.raises(ComplaintChanged):
        repo.replace(complaint("c-1", status="resolved", revision=2), expected_revision=1)
    assert repo.get("c-1")["status"] == "in_progress" and repo.get("c-9") is None


def test_an_overdue_complaint_is_escalated_once_and_leaves_its_due_hour(repo):
    repo.create(complaint("c-1"))
    repo.create(complaint("c-2", status="resolved"))
    repo.create(complaint("c-3", due_at="2026-11-21T10:00:00+08:00"))
    assert [c["complaint_id"] for c in repo.due_in_hour("2026-11-21T09")] == ["c-1"]
    repo.escalate("c-1", "2026-11-21T10:00:00+08:00", escalation("c-1"))
    with pytest.raises(AlreadyEscalated):
        repo.escalate("c-1", "2026-11-21T11:00:00+08:00", escalation("c-1"))
    with pytest.raises(AlreadyEscalated):
        repo.escalate("c-2", "2026-11-21T11:00:00+08:00", escalation("c-2"))
    stored = repo.get("c-1")
    assert stored["escalated"] is True and stored["revision"] == 2 and repo.due_in_hour("2026-11-21T09") == []
    with pytest.raises(ComplaintChanged):  # a change read before the escalation cannot overwrite its flag
        repo.replace(complaint("c-1", status="in_progress", revision=2), expected_revision=1)


def test_a_complaint_recorded_after_its_clock_ran_out_is_escalated_with_it(repo):
    repo.create(complaint("c-1", escalated=True, escalated_at="2026-11-22T09:00:00+08:00"), escalation("c-1"))
    assert repo.get("c-1")["escalated"] is True and repo.due_in_hour("2026-11-21T09") == []


def test_lists_are_latest_received_first_with_a_filter_giving_full_pages(repo):
    repo.create(complaint("c-1", "2026-10-30T09:00:00+08:00"))
    repo.create(complaint("c-2", "2026-11-02T09:00:00+08:00", status="resolved"))
    repo.create(complaint("c-3", "2026-11-05T09:00:00+08:00"))
    repo.create(complaint("c-4", "2026-11-06T09:00:00+08:00", owner_id=None))
    assert [c["complaint_id"] for c in repo.list_branch("br-pudong", "2026-11", limit=5).items] == ["c-4", "c-3", "c-2"]
    assert [c["complaint_id"] for c in repo.list_owner("cm-001", None, limit=5).items] == ["c-3", "c-2", "c-1"]
    open_ = repo.list_owner("cm-001", None, limit=1, keep=lambda c: c["status"] == "open")
    assert [c["complaint_id"] for c in open_.items] == ["c-3"] and open_.last_key
    rest = repo.list_owner("cm-001", None, limit=1, start_key=open_.last_key, keep=lambda c: c["status"] == "open")
    assert [c["complaint_id"] for c in rest.items] == ["c-1"]


def test_other_areas_records_are_read_as_stored(repo):
    assert repo.get_account("ac-1")["serving_manager_id"] == "cm-001" and repo.get_account("ac-9") is None
    assert repo.get_task("t-9") is None and repo.get_penalty("p-9") is None
    assert repo.get_staff("cm-002")["status"] == "active"
    assert sorted(s["staff_id"] for s in repo.branch_managers("br-pudong")) == ["cm-001", "cm-002"]


def test_an_owners_month_is_read_by_receipt(repo):
    repo.create(complaint("c-1", "2026-10-30T09:00:00+08:00"))
    repo.create(complaint("c-2", "2026-11-02T09:00:00+08:00"))
    repo.create(complaint("c-3", "2026-11-05T09:00:00+08:00", owner_id="cm-002"))
    assert [c["complaint_id"] for c in repo.owner_month("cm-001", "2026-11")] == ["c-2"]
