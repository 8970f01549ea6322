"""One contract for `DeclarationRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.declaration_ports import DeclarationChanged, MonthClosed
from chalicelib.storage.declarations_repo import DynamoDeclarationRepository
from chalicelib.storage.memory.declarations import MemoryDeclarationRepository

ACCOUNT = {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001"}
CONVERSION = {"account_id": "ac-1", "prospect_id": "p-1", "owner_id": "cm-002"}


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryDeclarationRepository()
        fake.accounts_by_id["ac-1"] = dict(ACCOUNT)
        fake.conversions_by_account["ac-1"] = dict(CONVERSION)
        fake.add_staff("cm-001", "br-pudong")
        fake.add_staff("cm-002", "br-pudong")
        fake.add_staff("sup-001", "br-pudong", "supervisor")
        fake.add_staff("cm-101", "br-haidian")
        return fake
    from chalicelib.storage import base, directory, keys

    base.put({**keys.account("ac-1"), **ACCOUNT})
    base.put({**keys.conversion("ac-1"), **CONVERSION})
    for staff_id, branch, role in (
        ("cm-001", "br-pudong", "client_manager"),
        ("cm-002", "br-pudong", "client_manager"),
        ("sup-001", "br-pudong", "supervisor"),
        ("cm-101", "br-haidian", "client_manager"),
    ):
        directory.put_staff({"staff_id": staff_id, "branch_id": branch, "role": role})
    return DynamoDeclarationRepository()


def declaration(manager: str = "cm-001", revision: int = 1, ids=("ac-1",), **kw) -> dict:
    return {
        "manager_id": manager,
        "branch_id": "br-pudong",
        "month": "2026-11",
        "account_ids": list(ids),
        "note": None,
        "revision": revision,
        **kw,
    }


def test_a_declaration_replaces_only_the_revision_read(repo):
    repo.save(declaration(), None)
    with pytest.raises(DeclarationChanged):
        repo.save(declaration(ids=("ac-2",)), None)  # a first declaration, but one exists
    repo.save(declaration(revision=2, ids=("ac-1", "ac-2")), 1)
    with pytest.raises(DeclarationChanged):
        repo.save(declaration(revision=2, ids=()), 1)
    stored = repo.get("cm-001", "2026-11")
    assert stored["account_ids"] == ["ac-1", "ac-2"] and stored["revision"] == 2 and "note" not in stored
    assert repo.get("cm-001", "2026-10") is None


def test_a_closed_month_takes_no_declaration_and_the_first_closure_stands(repo):
    repo.save(declaration(), None)
    assert repo.close({"branch_id": "br-pudong", "month": "2026-11", "closed_by": "sup-001"})
    assert not repo.close({"branch_id": "br-pudong", "month": "2026-11", "closed_by": "sup-002"})
    assert repo.closure("br-pudong", "2026-11")["closed_by"] == "sup-001"
    assert repo.closure("br-pudong", "2026-10") is None
    for expected in (None, 1):
        with pytest.raises(MonthClosed):
            repo.save(declaration(manager="cm-002" if expected is None else "cm-001", revision=2), expected)
    assert repo.get("cm-001", "2026-11")["revision"] == 1 and repo.get("cm-002", "2026-11") is None


def test_the_branchs_month_holds_one_declaration_per_manager(repo):
    repo.save(declaration(), None)
    repo.save(declaration(manager="cm-002"), None)
    repo.save({**declaration(manager="cm-101"), "branch_id": "br-haidian"}, None)
    repo.save(declaration(month="2026-10"), None)
    assert sorted(d["manager_id"] for d in repo.branch_month("br-pudong", "2026-11")) == ["cm-001", "cm-002"]


def test_accounts_conversions_and_managers_are_read_as_stored(repo):
    assert repo.accounts(["ac-1", "ac-9"]) == {"ac-1": ACCOUNT}
    assert repo.conversions(["ac-1", "ac-9"])["ac-1"]["owner_id"] == "cm-002"
    assert sorted(s["staff_id"] for s in repo.branch_managers("br-pudong")) == ["cm-001", "cm-002"]
