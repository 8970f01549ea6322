"""One contract for `ContactPlanRepository`, run on the DynamoDB adapter (moto) and on the in-memory fake."""

from __future__ import annotations

import pytest

from chalicelib.domain.contact_plan_ports import AccountMoved
from chalicelib.storage.contact_plan_repo import DynamoContactPlanRepository
from chalicelib.storage.memory.contact_plan import MemoryContactPlanRepository

ACCOUNTS = [
    {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001", "value_class": "A", "version": 1},
    {"account_id": "ac-2", "branch_id": "br-pudong", "serving_manager_id": "cm-001", "value_class": "C", "version": 1},
    {"account_id": "ac-3", "branch_id": "br-pudong", "serving_manager_id": "cm-002", "value_class": "B", "version": 1},
]


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request):
    if request.param == "memory":
        fake = MemoryContactPlanRepository()
        fake.accounts = {a["account_id"]: dict(a) for a in ACCOUNTS}
        fake.contacts[("ac-1", "cm-001")] = {"contact_weeks": {"2026-W46", "2026-W47"}, "visit_months": {"2026-11"}}
        fake.add_staff("cm-001", "br-pudong")
        return fake
    from chalicelib.storage import base, contact_plan, directory, keys

    for a in ACCOUNTS:
        base.put(
            {
                **keys.account(a["account_id"]),
                **keys.account_manager_index(a["serving_manager_id"], a["account_id"]),
                **a,
            }
        )
    for week, month in (("2026-W46", None), ("2026-W47", "2026-11")):
        base.transact([contact_plan.contact_op("ac-1", "cm-001", week, month)])
    directory.put_staff({"staff_id": "cm-001", "branch_id": "br-pudong", "role": "client_manager"})
    return DynamoContactPlanRepository()


def test_a_managers_book_and_its_contacts_are_read_as_stored(repo):
    assert [a["account_id"] for a in repo.manager_accounts("cm-001")] == ["ac-1", "ac-2"]
    found = repo.contacts_of("cm-001", ["ac-1", "ac-2"])
    assert list(found) == ["ac-1"] and set(found["ac-1"]["contact_weeks"]) == {"2026-W46", "2026-W47"}
    assert set(found["ac-1"]["visit_months"]) == {"2026-11"}
    assert repo.get_staff("cm-001")["role"] == "client_manager" and repo.get_staff("cm-999") is None


def test_a_class_is_set_on_the_version_read(repo):
    account = repo.get_account("ac-2")
    change = {
        "value_class": "B",
        "source": "supervisor",
        "by": "sup-001",
        "at": "2026-11-20T10:00:00+08:00",
        "reason": "资产增加",
    }
    repo.set_value_class(account, change)
    stored = repo.get_account("ac-2")
    assert stored["value_class"] == "B" and stored["value_class_set_by"] == "sup-001" and stored["version"] == 2
    with pytest.raises(AccountMoved):
        repo.set_value_class(account, {**change, "value_class": "A", "at": "2026-11-20T11:00:00+08:00"})
    assert repo.get_account("ac-2")["value_class"] == "B" and repo.get_account("ac-9") is None
