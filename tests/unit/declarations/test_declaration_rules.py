"""Month-end declarations on the fakes (000 第一篇 第十三条 "几人同时申报一个客户者…对冒充者处以每户200元的罚款"):
the list replaces the manager's earlier one until the deadline or the supervisor's closure, and the
comparison shows an account declared by several managers with the FALSE_CLAIM rule in force."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.auth import Principal
from chalicelib.domain import declarations
from chalicelib.domain.declaration_ports import DECLARATIONS
from chalicelib.domain.penalty_ports import PENALTIES
from chalicelib.errors import Conflict, Forbidden, Unprocessable, ValidationFailed
from chalicelib.models.declarations import DeclarationIn
from chalicelib.storage.memory.declarations import MemoryDeclarationRepository
from chalicelib.storage.memory.penalties import MemoryPenaltyRepository

CM1 = Principal(kind="staff", id="cm-001", role="client_manager", branch_id="br-pudong")
CM2 = Principal(kind="staff", id="cm-002", role="client_manager", branch_id="br-pudong")
SUP = Principal(kind="staff", id="sup-001", role="supervisor", branch_id="br-pudong")
OTHER_SUP = Principal(kind="staff", id="sup-101", role="supervisor", branch_id="br-haidian")


@pytest.fixture(autouse=True)
def aws():
    yield


@pytest.fixture
def repo():
    fake = MemoryDeclarationRepository()
    for sid in ("cm-001", "cm-002"):
        fake.add_staff(sid, "br-pudong")
    fake.accounts_by_id["ac-1"] = {"account_id": "ac-1", "branch_id": "br-pudong", "serving_manager_id": "cm-001"}
    fake.accounts_by_id["ac-9"] = {"account_id": "ac-9", "branch_id": "br-haidian", "serving_manager_id": "cm-101"}
    with (
        DECLARATIONS.override(fake),
        PENALTIES.override(MemoryPenaltyRepository()),
        clock.freeze("2026-12-02T10:00:00+08:00"),
    ):
        yield fake


def declare(who: Principal, *ids: str, month: str = "2026-11"):
    return declarations.declare(who, DeclarationIn(month=month, account_ids=list(ids)))


def test_a_declaration_replaces_the_managers_list_and_keeps_its_history(repo):
    declare(CM1, "ac-1")
    again = declare(CM1, "ac-1")  # the same list: nothing changes
    assert repo.get("cm-001", "2026-11")["revision"] == 1 and again["account_ids"] == ["ac-1"]
    declare(CM1, "ac-1", "ac-2")
    stored = repo.get("cm-001", "2026-11")
    assert stored["revision"] == 2 and [h["added"] for h in stored["history"]] == [["ac-1"], ["ac-2"]]
    with pytest.raises(ValidationFailed) as refused:
        declare(CM1, "ac-1", "ac-1")
    assert refused.value.details[0]["field"] == "account_ids.1"
    with pytest.raises(ValidationFailed):
        declare(CM1, "ac-1", month="2027-01")


def test_the_month_closes_at_the_deadline_or_when_the_supervisor_closes_it(repo):
    declarations.close_month(SUP, "2026-11")
    with pytest.raises(Unprocessable, match="closed"):
        declare(CM1, "ac-1")
    assert declarations.close_month(SUP, "2026-11")["closed_by"] == "sup-001"  # once, for good
    with clock.freeze("2026-11-06T10:00:00+08:00"), pytest.raises(Unprocessable, match="closed"):
        declare(CM1, "ac-1", month="2026-10")  # after the 5th of the next month


def test_a_declaration_that_lost_to_another_answers_conflict(repo):
    declare(CM1, "ac-1")
    repo.declarations[("cm-001", "2026-11")]["revision"] = 5  # written meanwhile, after our read

    class ReadBefore:
        def __getattr__(self, name):
            return getattr(repo, name)

        def get(self, manager_id, month):
            return {**repo.get(manager_id, month), "revision": 1}

    with DECLARATIONS.override(ReadBefore()), pytest.raises(Conflict, match="changed meanwhile"):  # type: ignore[arg-type]
        declare(CM1, "ac-1", "ac-3")
    assert repo.get("cm-001", "2026-11")["account_ids"] == ["ac-1"]


def test_an_account_declared_twice_is_a_conflict_with_the_false_claim_rule_at_hand(repo):
    declare(CM1, "ac-1")
    declare(CM2, "ac-1", "ac-9")
    found = declarations.conflicts(SUP, "2026-11", None)
    assert found["declarations"] == 2 and found["rule"]["code"] == "FALSE_CLAIM"
    doubled = [c for c in found["conflicts"] if c["account_id"] == "ac-1"]
    assert doubled[0]["declared_by"] == ["cm-001", "cm-002"] and "declared_by_several" in doubled[0]["kinds"]
    assert doubled[0]["attributed_to"] == "cm-001" and doubled[0]["not_attributed"] == ["cm-002"]
    # another branch's account reads as unknown: a declaration cannot probe another branch's book
    foreign = [c for c in found["conflicts"] if c["account_id"] == "ac-9"][0]
    assert foreign["kinds"] == ["not_found"] and foreign["serving_manager_id"] is None
    with pytest.raises(Forbidden):
        declarations.conflicts(OTHER_SUP, "2026-11", "br-pudong")
