"""One contract for `ProblemRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake the
rule tests use: if the fake drifts from the table, this fails."""

from __future__ import annotations

import pytest

from chalicelib.domain.problems_ports import ProblemChanged
from chalicelib.storage.memory.problems import MemoryProblemRepository
from chalicelib.storage.problems_repo import DynamoProblemRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemoryProblemRepository() if request.param == "memory" else DynamoProblemRepository()


def item(pid: str, *, status="open", severity="normal", created="2026-11-20T10:00:00+08:00", **kw) -> dict:
    return {
        "problem_id": pid,
        "branch_id": "br-pudong",
        "account_id": "acc-1",
        "source": "compliance",
        "category": "suitability",
        "cause": "c",
        "responsible_department": "d",
        "severity": severity,
        "description": "x",
        "status": status,
        "created_at": created,
        "created_by": "cmp-1",
        "due_at": "2026-11-24T10:00:00+08:00",
        "escalated": False,
        "history": [],
        **kw,
    }


def test_create_get_and_reads_are_copies(repo):
    repo.create(item("p1"))
    got = repo.get("p1")
    assert got["status"] == "open" and got["branch_id"] == "br-pudong"
    got["status"] = "mutated"
    assert repo.get("p1")["status"] == "open"
    assert repo.get("absent") is None


def test_replace_is_conditional_on_the_status(repo):
    repo.create(item("p1"))
    repo.replace({**item("p1"), "status": "in_progress"}, expected_status="open")
    assert repo.get("p1")["status"] == "in_progress"
    with pytest.raises(ProblemChanged):
        repo.replace({**item("p1"), "status": "resolved"}, expected_status="open")
    assert repo.get("p1")["status"] == "in_progress"


def test_list_by_status_orders_by_severity_then_created_and_pages(repo):
    repo.create(item("p1", created="2026-11-20T11:00:00+08:00"))
    repo.create(item("p2", created="2026-11-20T10:00:00+08:00"))
    repo.create(item("p3", severity="critical"))
    repo.create(item("p4", status="in_progress"))
    first = repo.list_by_status("open", limit=2)
    assert [i["problem_id"] for i in first.items] == ["p3", "p2"]
    rest = repo.list_by_status("open", limit=2, start_key=first.last_key)
    assert [i["problem_id"] for i in rest.items] == ["p1"] and rest.last_key is None


def test_branch_month_lists_oldest_first_and_keeps(repo):
    repo.create(item("p1", created="2026-11-21T10:00:00+08:00"))
    repo.create(item("p2", created="2026-11-20T10:00:00+08:00", status="resolved"))
    repo.create(item("p3", created="2026-10-20T10:00:00+08:00"))
    repo.create(item("p4", branch_id="br-other"))
    page = repo.list_branch_month("br-pudong", "2026-11", limit=10)
    assert [i["problem_id"] for i in page.items] == ["p2", "p1"]
    kept = repo.list_branch_month("br-pudong", "2026-11", limit=10, keep=lambda i: i["status"] == "open")
    assert [i["problem_id"] for i in kept.items] == ["p1"]
    assert [i["problem_id"] for i in repo.all_branch_month("br-pudong", "2026-11")] == ["p2", "p1"]


def test_due_in_hour_holds_unresolved_items_only(repo):
    repo.create(item("p1"))
    repo.create(item("p2", status="resolved"))
    repo.create(item("p3", due_at="2026-11-24T11:00:00+08:00"))
    assert [i["problem_id"] for i in repo.due_in_hour("2026-11-24T10")] == ["p1"]
    repo.replace({**item("p1"), "status": "verified"}, expected_status="open")
    assert repo.due_in_hour("2026-11-24T10") == []


def test_flag_overdue_once_and_only_unresolved(repo):
    repo.create(item("p1"))
    repo.create(item("p2", status="resolved"))
    assert repo.flag_overdue("p1", "2026-11-24T11:00:00+08:00") is True
    assert repo.flag_overdue("p1", "2026-11-24T12:00:00+08:00") is False
    got = repo.get("p1")
    assert got["overdue"] is True and got["escalated"] is True and got["overdue_at"] == "2026-11-24T11:00:00+08:00"
    assert repo.flag_overdue("p2", "2026-11-24T11:00:00+08:00") is False
    assert repo.flag_overdue("absent", "2026-11-24T11:00:00+08:00") is False
