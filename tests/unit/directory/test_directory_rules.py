"""Directory rules on the fakes (moved from tests/api/test_directory.py, which keeps the routes' own checks):
staff and outlets belong to a branch that exists and is open, members are stationed at their branch's outlets."""

from __future__ import annotations

import pytest

from chalicelib.domain import directory
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.models.directory import OutletIn, StaffIn, StaffPatch

from .conftest import ADMIN

NEW_STAFF = {
    "staff_id": "cm-009",
    "name": "钱多多",
    "role": "client_manager",
    "branch_id": "br-pudong",
    "outlet_ids": ["ot-icbc-lujiazui"],
}


def create(**overrides) -> dict:
    return directory.create_staff(ADMIN, StaffIn.model_validate({**NEW_STAFF, **overrides}))


def patch(staff_id: str, **fields) -> dict:
    return directory.update_staff(ADMIN, staff_id, StaffPatch.model_validate(fields))


def test_unknown_outlet_is_refused_naming_the_field(directory_repo):
    with pytest.raises(ValidationFailed) as refused:
        create(outlet_ids=["ot-nowhere"])
    assert refused.value.status == 400 and refused.value.details[0]["field"] == "outlet_ids.0"
    with pytest.raises(ValidationFailed) as refused:  # another branch's outlet is as unknown
        create(outlet_ids=["ot-abc-zhongguancun"])
    assert refused.value.details[0]["field"] == "outlet_ids.0"
    assert directory_repo.get_staff("cm-009") is None


def test_staff_and_outlets_belong_to_a_branch_that_exists_and_is_open(directory_repo):
    with pytest.raises(ValidationFailed) as refused:
        create(branch_id="br-nowhere")
    assert refused.value.status == 400 and refused.value.details[0] == {
        "field": "branch_id",
        "message": "unknown branch br-nowhere",
    }
    outlet = {"outlet_id": "ot-new2", "bank": "招商银行", "name": "世纪大道支行", "branch_id": "br-nowhere"}
    with pytest.raises(ValidationFailed) as refused:
        directory.create_outlet(OutletIn.model_validate(outlet))
    assert refused.value.details[0]["field"] == "branch_id"
    with pytest.raises(ValidationFailed) as refused:
        patch("cm-002", branch_id="br-nowhere")
    assert refused.value.details[0]["field"] == "branch_id"
    directory.create_branch("br-closed", "已撤销营业部", by="adm-001")
    directory.close_branch("br-closed", by="adm-001")
    with pytest.raises(ValidationFailed) as refused:
        create(branch_id="br-closed", outlet_ids=[])
    assert "closed" in refused.value.details[0]["message"]
    assert patch("cm-002", name="李娜")["name"] == "李娜"  # other changes pass


def test_a_duplicate_member_is_a_conflict_and_a_stale_edit_too(directory_repo):
    assert create()["status"] == "active"
    with pytest.raises(Conflict) as refused:
        create()
    assert "already exists" in str(refused.value)
    real_get = directory_repo.get_staff

    def read_then_moved(staff_id):  # another admin moves the member between this edit's read and write
        found = real_get(staff_id)
        directory_repo.staff[staff_id]["role"] = "supervisor"
        return found

    directory_repo.get_staff = read_then_moved
    with pytest.raises(Conflict) as refused:
        patch("cm-009", name="改名")
    assert "changed meanwhile" in str(refused.value)
    directory_repo.get_staff = real_get
    assert directory_repo.get_staff("cm-009")["name"] == "钱多多"


def test_a_branch_with_active_staff_is_not_closed_and_a_closed_one_not_twice(directory_repo):
    with pytest.raises(Conflict) as refused:
        directory.close_branch("br-haidian", by="adm-001")
    assert "cm-101" in str(refused.value)
    patch("cm-101", status="departed", departed_on="2026-11-30")
    assert directory.close_branch("br-haidian", by="adm-001")["status"] == "closed"
    with pytest.raises(Conflict):
        directory.close_branch("br-haidian", by="adm-001")
    assert directory_repo.get_staff("cm-101")["status"] == "departed"  # every record kept


def test_a_departure_writes_its_hand_over_with_the_member(directory_repo):
    patch("cm-002", status="departed", departed_on="2026-11-30")
    [payload] = directory_repo.handovers.values()
    assert payload == {
        "staff_id": "cm-002",
        "by": "adm-001",
        "reason": "departure on 2026-11-30",
    }  # no successor named: None is not stored
    with pytest.raises(ValidationFailed) as refused:
        patch("cm-001", status="departed", departed_on="2026-11-30", successor_id="cm-101")  # another branch
    assert refused.value.details[0]["field"] == "successor_id"
    assert directory_repo.get_staff("cm-001")["status"] == "active" and len(directory_repo.handovers) == 1
