"""Who sees which account, masked, and who may reveal a client's contact: the rules on the fakes."""

from __future__ import annotations

import pytest

from chalicelib.auth import Principal
from chalicelib.domain import accounts
from chalicelib.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.models.disclosure import RevealRequest
from tests.factories.accounts import opened, phone


def staff(role: str, staff_id: str, branch_id: str = "br-pudong") -> Principal:
    return Principal(kind="staff", id=staff_id, role=role, branch_id=branch_id, name="某人")


MANAGER, OTHER_MANAGER = staff("client_manager", "cm-001"), staff("client_manager", "cm-002")
SUPERVISOR, FAR_SUPERVISOR = staff("supervisor", "sup-001"), staff("supervisor", "sup-101", "br-haidian")
AGENT, FAR_AGENT = staff("callback_agent", "cba-001"), staff("callback_agent", "cba-101", "br-haidian")
COMPLIANCE = staff("compliance", "cmp-001")


@pytest.fixture
def fed(repo):
    accounts.ingest([opened("ac-1", event_id="ev-1"), opened("ac-2", event_id="ev-2", branch_id="br-haidian", n=2)])
    return repo


def test_a_manager_lists_their_own_accounts_only(fed):
    assert [a["account_id"] for a in accounts.list_accounts(MANAGER, None, 10, None).items] == ["ac-1", "ac-2"]
    with pytest.raises(Forbidden):
        accounts.list_accounts(MANAGER, "cm-002", 10, None)


def test_a_supervisor_names_the_manager_and_sees_their_own_branch_of_it(fed):
    assert [a["account_id"] for a in accounts.list_accounts(SUPERVISOR, "cm-001", 10, None).items] == ["ac-1"]
    with pytest.raises(ValidationFailed) as err:
        accounts.list_accounts(SUPERVISOR, None, 10, None)
    assert err.value.details[0]["field"] == "query.manager_id"


def test_an_account_outside_the_callers_scope_reads_as_unknown(fed):
    assert accounts.read_account(MANAGER, "ac-1")["account_id"] == "ac-1"
    assert accounts.read_account(AGENT, "ac-1")["account_id"] == "ac-1"
    for who, account_id in ((OTHER_MANAGER, "ac-1"), (AGENT, "ac-2"), (FAR_SUPERVISOR, "ac-1"), (AGENT, "ac-9")):
        with pytest.raises(NotFound):
            accounts.read_account(who, account_id)


def test_the_view_is_masked_and_never_carries_the_sealed_values_or_hashes(fed):
    view = accounts.render(accounts.read_account(MANAGER, "ac-1"))
    assert not {"phone_sealed", "id_sealed", "phone_hash", "id_hash"} & set(view)
    assert view["phone_masked"] != phone(1) and "*" in view["phone_masked"] and "*" in view["client_name_masked"]


def reveal_body(purpose: str = "callback", case_ref: str | None = None) -> RevealRequest:
    return RevealRequest(purpose=purpose, reason="客户回访需要核对号码", case_ref=case_ref)


def test_an_agent_holding_an_open_task_sees_the_name_and_phone(fed):
    fed.tasks.append({"account_id": "ac-1", "assignee_id": "cba-001", "status": "open"})
    shown = accounts.reveal(AGENT, "ac-1", reveal_body())
    assert shown["phone"] == phone(1) and shown["client_name"] == "张三丰" and "id_number" not in shown
    assert shown["audit_id"]


def test_an_agent_without_an_open_task_is_refused(fed):
    fed.tasks.append({"account_id": "ac-1", "assignee_id": "cba-001", "status": "done"})
    with pytest.raises(Forbidden):
        accounts.reveal(AGENT, "ac-1", reveal_body())


def test_another_branchs_account_is_refused_as_unknown(fed):
    fed.tasks.append({"account_id": "ac-1", "assignee_id": "cba-101", "status": "open"})
    with pytest.raises(NotFound):
        accounts.reveal(FAR_AGENT, "ac-1", reveal_body())


def test_compliance_names_a_case_to_see_the_id_number(fed):
    with pytest.raises(Forbidden):
        accounts.reveal(COMPLIANCE, "ac-1", reveal_body())
    shown = accounts.reveal(COMPLIANCE, "ac-1", reveal_body("compliance_case", "CASE-2026-001"))
    assert shown["id_number"] and shown["phone"] == phone(1)
