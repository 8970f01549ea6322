"""Registration rules on the fakes: 004 "未备案的信息谁先备案算谁的", collisions (撞单), the daily quota."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import submission
from chalicelib.domain.prospects import pool, registration
from chalicelib.domain.prospects.registration import AlreadyRegistered, RegistrationQuotaExhausted
from chalicelib.errors import ValidationFailed
from chalicelib.models.prospects import ClaimKind, ProspectIn, ProspectStatus

from ...fakes.prospects import make_deps, manager

ID_NUMBER = "11010519491231002X"


def body(**overrides) -> ProspectIn:
    values = {
        "name": "张三丰",
        "phone": "13812345678",
        "class": "A",
        "source": "own_network",
        "outlet_id": "ot-lujiazui",
        "first_contact_on": "2026-11-19",
        "need": "想做基金定投",
    }
    values.update(overrides)
    return ProspectIn.model_validate({k: v for k, v in values.items() if v is not None})


def test_the_first_to_register_owns_the_prospect_protected_by_its_class(deps):
    out = registration.register(deps, manager(), body(id_number=ID_NUMBER))
    assert out["owner_id"] == "cm-001" and out["status"] == "active" and out["protected"] is True
    assert out["protected_until"] == "2026-11-27"  # A: 7 days from registration
    assert out["first_contact_due"] == "2026-11-22" and out["next_follow_up"] == "2026-11-22"  # 000 第四篇: 3 days
    assert out["phone"] == "138****5678" and out["id_number"] == "110***********002X"
    assert not [k for k in out if k.endswith(("_sealed", "_hash"))]
    stored = deps.repo.get(out["prospect_id"])
    assert deps.sealer.unseal(stored.phone_sealed) == "13812345678" and "13812345678" not in stored.phone_sealed
    assert (
        deps.repo.claim_holder(ClaimKind.id_number, deps.sealer.lookup_hash(ClaimKind.id_number, ID_NUMBER))
        == out["prospect_id"]
    )
    assert deps.repo.month_counts("cm-001", "2026-11")["registered"] == 1


def test_a_later_claim_in_the_branch_is_a_collision_told_the_state_and_the_masked_owner(deps):
    first = registration.register(deps, manager(), body())
    with pytest.raises(AlreadyRegistered) as refused:
        registration.register(deps, manager("cm-002", name="李娜"), body(source="seminar"))
    assert refused.value.extra == {
        "registration": {"registered_at": "2026-11-20T10:00:00+08:00", "state": "protected", "owner": "王**"}
    }
    [collision] = deps.repo.list_collisions("br-pudong", limit=10, start_key=None).items
    assert collision["prospect_id"] == first["prospect_id"] and collision["attempted_by"] == "cm-002"
    assert collision["existing_owner_id"] == "cm-001" and collision["matched_on"] == ["phone"]
    assert deps.repo.month_counts("cm-002", "2026-11")["registered"] == 0


def test_the_id_number_alone_is_a_claim(deps):
    registration.register(deps, manager(), body(id_number=ID_NUMBER))
    with pytest.raises(AlreadyRegistered):
        registration.register(deps, manager("cm-002"), body(phone="13900000000", id_number=ID_NUMBER))
    assert deps.repo.list_collisions("br-pudong", limit=10, start_key=None).items[0]["matched_on"] == ["id_number"]


def test_another_branchs_owned_prospect_is_already_registered_and_nothing_more(deps):
    registration.register(deps, manager(), body())
    with pytest.raises(AlreadyRegistered) as refused:
        registration.register(deps, manager("cm-101", "br-haidian"), body(outlet_id=None))
    assert refused.value.extra == {}
    assert deps.repo.list_collisions("br-haidian", limit=10, start_key=None).items[0]["cross_branch"] is True


def _released(deps) -> str:
    pid = registration.register(deps, manager(), body())["prospect_id"]
    assert pool.release_lapsed(deps, today=date(2026, 11, 29))["released"] == 1
    return pid


def test_a_prospect_in_another_branchs_pool_goes_to_the_first_to_register_it(deps):
    pid = _released(deps)
    out = registration.register(
        deps, manager("cm-101", "br-haidian"), body(outlet_id=None, first_contact_on="2026-11-20", **{"class": "B"})
    )
    assert out["prospect_id"] == pid and out["owner_id"] == "cm-101" and out["branch_id"] == "br-haidian"
    record = deps.repo.get(pid)
    assert record.previous_branch_id == "br-pudong" and record.prospect_class == "B" and record.version == 3
    # protected_until is computed from the class the prospect had in the pool (A), as before the split.
    assert record.protected_until == date(2026, 11, 27)
    assert [c["attempted_by"] for c in deps.repo.list_collisions("br-pudong", limit=10, start_key=None).items] == [
        "cm-101"
    ]


def test_with_cross_branch_pool_claims_off_the_pool_prospect_stays_where_it_is(deps):
    deps = make_deps(cross_branch_pool_claims=False)
    deps.directory.add_manager("cm-001", "王晓明", "br-pudong")
    pid = registration.register(deps, manager(), body(outlet_id=None))["prospect_id"]
    pool.release_lapsed(deps, today=date(2026, 11, 29))
    with pytest.raises(AlreadyRegistered):
        registration.register(deps, manager("cm-101", "br-haidian"), body(outlet_id=None))
    assert deps.repo.get(pid).status == ProspectStatus.pool and deps.repo.get(pid).branch_id == "br-pudong"


def test_a_manager_registers_at_most_the_daily_cap_and_a_refusal_claims_nothing(deps):
    deps = make_deps(registrations_per_manager_per_day=2)
    registration.register(deps, manager(), body(phone="13800000001", outlet_id=None))
    registration.register(deps, manager(), body(phone="13800000002", outlet_id=None))
    with pytest.raises(RegistrationQuotaExhausted):
        registration.register(deps, manager(), body(phone="13800000003", outlet_id=None))
    assert deps.repo.claim_holder(ClaimKind.phone, deps.sealer.lookup_hash(ClaimKind.phone, "13800000003")) is None
    assert registration.register(deps, manager("cm-002"), body(phone="13800000003", outlet_id=None))


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"first_contact_on": "2026-11-21"}, "first_contact_on"),
        ({"outlet_id": "ot-zhongguancun"}, "outlet_id"),
        ({"outlet_id": "ot-unknown"}, "outlet_id"),
    ],
)
def test_a_future_first_contact_or_an_outlet_outside_the_branch_is_refused(deps, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        registration.register(deps, manager(), body(**overrides))
    assert refused.value.details[0]["field"] == field
    assert deps.repo.prospects == {}


def test_a_retried_submission_is_its_own_first_write_not_a_collision(deps):
    token = submission.bind("cm-001|POST /v1/prospects|key-1", "body-hash")
    try:
        first = registration.register(deps, manager(), body())
        again = registration.register(deps, manager(), body())
    finally:
        submission.unbind(token)
    assert again["prospect_id"] == first["prospect_id"]
    assert deps.repo.list_collisions("br-pudong", limit=10, start_key=None).items == []
