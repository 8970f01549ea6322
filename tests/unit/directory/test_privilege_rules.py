"""Four eyes on privilege and the staff change log, on the fakes (moved from tests/api/test_privilege.py,
which still follows an approval through the API). PIPL 第五十一条: 合理确定个人信息处理的操作权限."""

from __future__ import annotations

import pytest

from chalicelib.domain import directory, privilege
from chalicelib.errors import Conflict, Forbidden, Unprocessable
from chalicelib.models.directory import StaffIn, StaffPatch
from chalicelib.models.privilege import PrivilegeRequestIn

from .conftest import ADMIN, NOW, SECOND_ADMIN

NEW_ADMIN = {"staff_id": "adm-009", "name": "钱多多", "role": "admin", "branch_id": "br-pudong"}
pytestmark = pytest.mark.usefixtures("privilege_repo")


def changes(month: str = NOW[:7]) -> list[dict]:
    return privilege.list_changes(month, 100, None).items


def ask(actor, **body) -> dict:
    return privilege.request(actor, PrivilegeRequestIn.model_validate(body))


def patch(actor, staff_id: str, **fields) -> dict:
    return directory.update_staff(actor, staff_id, StaffPatch.model_validate(fields))


def test_an_admin_cannot_make_itself_compliance_and_back():
    with pytest.raises(privilege.ApprovalRequired) as refused:
        patch(ADMIN, "adm-001", role="compliance")
    assert refused.value.status == 403 and refused.value.code == "approval_required"
    assert directory.get_staff_record("adm-001")["role"] == "admin"


@pytest.mark.parametrize("role", ["admin", "compliance"])
def test_granting_admin_or_compliance_directly_is_refused(role):
    with pytest.raises(privilege.ApprovalRequired) as refused:
        directory.create_staff(ADMIN, StaffIn.model_validate({**NEW_ADMIN, "role": role}))
    assert refused.value.status == 403 and refused.value.code == "approval_required"
    with pytest.raises(privilege.ApprovalRequired) as refused:
        patch(ADMIN, "cm-001", role=role)
    assert refused.value.status == 403 and refused.value.code == "approval_required"
    assert directory.get_staff_record("cm-001")["role"] == "client_manager"


def test_nobody_approves_their_own_elevation():
    req = ask(SECOND_ADMIN, staff_id="adm-002", branch_id="br-haidian", reason="本人调往海淀营业部")
    assert req["status"] == "pending"
    with pytest.raises(Forbidden):
        privilege.decide(SECOND_ADMIN, req["request_id"], True, "")
    done = privilege.decide(ADMIN, req["request_id"], False, "未经批准")
    assert done["status"] == "rejected"
    assert directory.get_staff_record("adm-002")["branch_id"] == "br-pudong"
    assert changes() == []


def test_the_requester_never_decides_and_a_decision_is_taken_once():
    req = ask(ADMIN, staff_id="cm-001", role="compliance", reason="调任合规岗位，经总部批准")
    with pytest.raises(Forbidden):
        privilege.decide(ADMIN, req["request_id"], True, "")
    assert [p["request_id"] for p in privilege.list_requests("pending", 10, None).items] == [req["request_id"]]
    done = privilege.decide(SECOND_ADMIN, req["request_id"], True, "已核实")
    assert done["status"] == "approved" and done["decided_by"] == "adm-002"
    with pytest.raises(Conflict):
        privilege.decide(SECOND_ADMIN, req["request_id"], True, "")
    [change] = changes()
    assert change["actor_id"] == "adm-001" and change["approved_by"] == "adm-002" and change["request_id"]


def test_an_approval_for_a_member_who_changed_meanwhile_is_a_conflict_and_writes_nothing(directory_repo):
    req = ask(ADMIN, staff_id="cm-001", role="compliance", reason="调任合规岗位")
    real_get = directory_repo.get_staff

    def read_then_moved(staff_id):  # the approver's read, then another admin's change before the write
        found = real_get(staff_id)
        directory_repo.staff["cm-001"]["role"] = "supervisor"
        return found

    directory_repo.get_staff = read_then_moved
    with pytest.raises(Conflict) as refused:
        privilege.decide(SECOND_ADMIN, req["request_id"], True, "")
    assert "changed since the request" in str(refused.value)
    directory_repo.get_staff = real_get
    assert directory.get_staff_record("cm-001")["role"] == "supervisor"
    assert privilege.list_requests("pending", 10, None).items[0]["request_id"] == req["request_id"]
    assert changes() == []


def test_a_new_admin_through_a_request():
    req = ask(ADMIN, **NEW_ADMIN, reason="新任系统管理员")
    assert privilege.decide(SECOND_ADMIN, req["request_id"], True, "")["status"] == "approved"
    assert directory.get_staff_record("adm-009")["role"] == "admin"
    [change] = changes()
    assert change.get("before") is None and change["after"]["role"] == "admin"  # None is not stored


def test_a_change_that_needs_no_second_admin_is_not_a_request():
    with pytest.raises(Unprocessable) as refused:
        ask(ADMIN, staff_id="cm-001", role="supervisor", reason="晋升为主管人员")
    assert refused.value.status == 422


def test_ordinary_changes_are_recorded_too():
    patch(ADMIN, "cm-001", role="supervisor")
    patch(ADMIN, "cm-001", name="王晓明二")  # nothing tracked moved
    patch(ADMIN, "cm-002", status="departed", departed_on="2026-11-30")
    recorded = sorted((c["staff_id"], c["before"]["role"], c["after"]["role"], c["after"]["status"]) for c in changes())
    assert recorded == [
        ("cm-001", "client_manager", "supervisor", "active"),
        ("cm-002", "client_manager", "client_manager", "departed"),
    ]
