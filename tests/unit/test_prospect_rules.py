"""Intent-client rules in isolation: protection, first contact, reclaim block, states, masking."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib import clock
from chalicelib.config import reset_settings
from chalicelib.domain.prospects import rules
from chalicelib.domain.prospects.referrals import referral_status, referral_view
from chalicelib.models.prospects import FollowUpIn, ProspectIn, ProspectRecord, ReferralIn, RevealIn
from chalicelib.wiring.prospects import policy


@pytest.mark.parametrize(
    "klass,until", [("A", "2026-11-27"), ("B", "2026-12-05"), ("C", "2026-12-20"), ("D", "2026-11-20")]
)
def test_protection_by_class(klass, until):
    assert rules.protected_until(policy(), klass, date(2026, 11, 20)) == date.fromisoformat(until)


def test_protection_days_and_first_contact_are_configuration(monkeypatch):
    monkeypatch.setenv("FIELDDESK_PROTECTION_DAYS_A", "3")
    monkeypatch.setenv("FIELDDESK_FIRST_CONTACT_DAYS", "1")
    monkeypatch.setenv("FIELDDESK_POOL_RECLAIM_BLOCK_DAYS", "10")
    reset_settings()
    try:
        assert rules.protected_until(policy(), "A", date(2026, 11, 20)) == date(2026, 11, 23)
        assert rules.first_contact_due(policy(), date(2026, 11, 20)) == date(2026, 11, 21)
        assert rules.reclaim_blocked_until(policy(), date(2026, 11, 20)) == date(2026, 11, 30)
    finally:
        monkeypatch.undo()
        reset_settings()


def test_first_contact_within_three_days_and_reclaim_block_default():
    assert rules.first_contact_due(policy(), date(2026, 11, 19)) == date(2026, 11, 22)
    assert rules.reclaim_blocked_until(policy(), date(2026, 11, 28)) == date(2026, 12, 28)


_STORED = {
    "prospect_id": "p1",
    "branch_id": "br-pudong",
    "name": "张三丰",
    "phone_sealed": "v1:local:xx",
    "phone_hash": "h",
    "phone_masked": "138****5678",
    "source": "seminar",
    "first_contact_on": "2026-11-19",
    "first_contact_due": "2026-11-22",
    "created_at": "2026-11-20T10:00:00+08:00",
    "registered_on": "2026-11-20",
    "registered_by": "cm-001",
    "version": 1,
}


def _record(**kw):
    base = {**_STORED, "status": "active", "prospect_class": "A", "protected_until": "2026-11-27", "follow_up_count": 0}
    base.update(kw)
    return ProspectRecord.model_validate(base)


@pytest.mark.parametrize(
    "record,state",
    [
        (_record(), "protected"),
        (_record(protected_until="2026-11-19"), "unprotected"),  # lapsed, not yet released
        (_record(prospect_class="D", protected_until="2026-11-20"), "unprotected"),
        (_record(status="pool"), "pool"),
        (_record(status="converted"), "converted"),
    ],
)
def test_registration_state_told_to_a_colliding_manager(record, state):
    assert rules.registration_state(record, date(2026, 11, 20)) == state


@pytest.mark.parametrize(
    "record,status",
    [
        (_record(), "registered"),
        (_record(follow_up_count=2), "contacted"),
        (_record(status="pool", follow_up_count=1, last_owner_id="cm-001"), "lapsed"),
        (_record(status="pool", owner_id=None), "registered"),  # a referral no manager ever held
        (_record(status="converted"), "converted"),
    ],
)
def test_referral_status_seen_by_the_outlet(record, status):
    assert referral_status(record) == status


def test_views_never_carry_sealed_values_or_hashes():
    record = ProspectRecord.model_validate(
        {
            **_STORED,
            "id_sealed": "v1:local:yy",
            "id_hash": "h2",
            "id_masked": "110***********002X",
            "status": "pool",
            "prospect_class": "B",
            "released_at": "2026-11-28T01:00:00+08:00",
            "last_owner_id": "cm-001",
            "referrer": {"name": "柜员小李"},
        }
    )
    with clock.freeze("2026-11-20T10:00:00+08:00"):
        full = rules.view(record, clock.today())
    assert not {k for k in full if k.endswith(("_sealed", "_hash", "_masked"))}
    assert full["phone"] == "138****5678" and full["id_number"] == "110***********002X"
    pool = rules.pool_view(record)
    assert pool["name"] == "张**" and pool["phone"] == "138****5678" and "id_number" not in pool
    outlet = referral_view(record)
    assert outlet["name"] == "张**" and outlet["status"] == "lapsed"


def test_phone_normalisation_and_class_alias():
    body = ProspectIn.model_validate(
        {
            "name": "甲",
            "phone": "0086 138-1234-5678",
            "class": "B",
            "source": "referral",
            "first_contact_on": "2026-11-20",
        }
    )
    assert body.phone == "13812345678" and body.prospect_class == "B"


def test_referral_needs_a_referrer_and_reveal_needs_a_purpose():
    with pytest.raises(ValueError):
        ReferralIn.model_validate({"name": "甲", "phone": "13812345678"})
    assert ReferralIn.model_validate({"name": "甲", "phone": "13812345678", "referrer_employee_no": "E1"})
    with pytest.raises(ValueError):
        RevealIn.model_validate({"purpose": "follow_up", "reason": "x"})
    assert RevealIn.model_validate(
        {"purpose": "follow_up", "reason": "跟进前核对号码", "fields": ["phone", "phone"]}
    ).fields == ["phone"]
    with pytest.raises(ValueError):
        FollowUpIn.model_validate({"channel": "phone", "summary": "x", "class_change": "Z"})
