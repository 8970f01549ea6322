"""One contract for `BranchRepository`, on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.errors import ConditionFailed
from chalicelib.storage.branches_repo import DynamoBranchRepository
from chalicelib.storage.memory.branches import MemoryBranchRepository


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    return MemoryBranchRepository() if request.param == "memory" else DynamoBranchRepository()


def branch(branch_id: str, name: str = "某营业部") -> dict:
    return {"branch_id": branch_id, "name": name, "status": "active", "created_at": "2026-12-02T10:00:00+08:00"}


def test_a_branch_is_created_once_and_read_back(repo):
    repo.create(branch("br-t1", "一部"))
    with pytest.raises(ConditionFailed):
        repo.create(branch("br-t1", "另一个"))
    assert repo.get("br-t1") == branch("br-t1", "一部")
    assert repo.get("br-none") is None


def test_branches_list_by_id_in_pages(repo):
    for i in (3, 1, 2):
        repo.create(branch(f"br-z{i}"))
    seen, start = [], None
    for _ in range(10):
        page = repo.list(limit=2, start_key=start)
        assert len(page.items) <= 2
        seen += [b["branch_id"] for b in page.items]
        start = page.last_key
        if not start:
            break
    mine = [b for b in seen if b.startswith("br-z")]
    assert mine == ["br-z1", "br-z2", "br-z3"] and seen == sorted(seen)
