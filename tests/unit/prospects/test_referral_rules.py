"""Partner outlets' referrals on the fakes: who owns one, what the outlet sees, duplicates."""

from __future__ import annotations

import pytest

from chalicelib.domain.prospects import ownership, pool, referrals
from chalicelib.domain.prospects.registration import AlreadyRegistered
from chalicelib.errors import NotFound
from chalicelib.models.prospects import FollowUpIn, ReferralIn

from ...fakes.prospects import manager, outlet


def refer(deps, phone: str = "13900001111", who=None, **extra) -> dict:
    body = ReferralIn.model_validate({"name": "赵先生", "phone": phone, "referrer_name": "柜员小李", **extra})
    return referrals.register_referral(deps, who or outlet(), body)


def test_the_manager_stationed_at_the_outlet_owns_the_referral(deps):
    deps.directory.add_manager("cm-000", "钱离职", "br-pudong", outlet_ids=("ot-lujiazui",), status="inactive")
    out = refer(deps)
    record = deps.repo.get(out["referral_id"])
    assert record.owner_id == "cm-001" and record.prospect_class == "C"  # setting referral_default_class
    assert record.source == "outlet_referral" and record.registered_by == "outlet:ot-lujiazui"
    assert out == {
        "referral_id": record.prospect_id,
        "name": "赵**",
        "phone": "139****1111",
        "status": "registered",
        "referred_at": "2026-11-20T10:00:00+08:00",
        "referrer_name": "柜员小李",
        "referrer_employee_no": None,
    }
    assert deps.repo.month_counts("cm-001", "2026-11")["registered"] == 0  # counted for nobody


def test_without_a_stationed_manager_the_referral_waits_in_the_pool_as_registered(deps):
    out = refer(deps, who=outlet("ot-zhongguancun", "br-haidian"))
    assert deps.repo.get(out["referral_id"]).status == "pool" and out["status"] == "registered"
    assert [r.prospect_id for r in pool.list_pool(deps, manager("cm-101", "br-haidian"), 10, None).items] == [
        out["referral_id"]
    ]


def test_the_outlet_follows_its_referral_from_registered_to_contacted(deps):
    out = refer(deps, **{"class": "A"})
    ownership.add_follow_up(
        deps, manager(), out["referral_id"], FollowUpIn.model_validate({"channel": "phone", "summary": "已联系"})
    )
    assert referrals.get_referral(deps, outlet(), out["referral_id"])["status"] == "contacted"
    assert [r.prospect_id for r in referrals.list_referrals(deps, outlet(), 10, None).items] == [out["referral_id"]]


def test_a_duplicate_referral_is_already_registered_and_a_collision(deps):
    first = refer(deps)
    with pytest.raises(AlreadyRegistered) as refused:
        refer(deps, who=outlet("ot-zhongguancun", "br-haidian"))
    assert refused.value.message == "already registered" and refused.value.extra == {}
    [collision] = deps.repo.list_collisions("br-pudong", limit=10, start_key=None).items
    assert collision["prospect_id"] == first["referral_id"] and collision["attempted_by_kind"] == "outlet"
    assert collision["attempted_by"] == "ot-zhongguancun" and collision["source"] == "outlet_referral"


def test_an_outlet_sees_only_its_own_referrals(deps):
    out = refer(deps)
    with pytest.raises(NotFound):
        referrals.get_referral(deps, outlet("ot-zhongguancun", "br-haidian"), out["referral_id"])
    assert referrals.list_referrals(deps, outlet("ot-zhongguancun", "br-haidian"), 10, None).items == []
