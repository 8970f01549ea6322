"""Partner outlets' referrals: DOMAIN 2 "Partner outlets refer prospects by API; the referral is attributed
to the outlet". A referral is a prospect owned by the manager stationed at the outlet, else put in the
branch pool; the outlet follows it through a status, never the prospect's details.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import clock
from ...errors import NotFound
from ...models.common import mask_name
from ...models.prospects import OUTLET_REFERRAL, ProspectRecord, ProspectStatus, ReferralIn
from .ports import Page, ProspectDeps
from .registration import AlreadyRegistered, create_or_find_existing, new_record, record_collision

if TYPE_CHECKING:
    from ...auth import Principal


def referral_status(record: ProspectRecord) -> str:
    """What an outlet sees: registered, contacted, converted, lapsed (released to the pool).

    A referral that went straight to the pool (no manager stationed at the outlet) was
    never held, so it has not lapsed: it is registered and waiting to be claimed.
    """
    if record.status == ProspectStatus.converted:
        return "converted"
    if record.status == ProspectStatus.pool and record.last_owner_id:
        return "lapsed"
    if record.status == ProspectStatus.pool:
        return "registered"
    return "contacted" if record.follow_up_count > 0 else "registered"


def referral_view(record: ProspectRecord) -> dict:
    referrer = record.referrer or {}
    return {
        "referral_id": record.prospect_id,
        "name": mask_name(record.name),
        "phone": record.phone_masked,
        "status": referral_status(record),
        "referred_at": record.created_at,
        "referrer_name": referrer.get("name"),
        "referrer_employee_no": referrer.get("employee_no"),
    }


def register_referral(deps: ProspectDeps, principal: Principal, body: ReferralIn) -> dict:
    """Owned by the manager stationed at the outlet (the lowest staff id if several), else the branch pool."""
    outlet_id = principal.id
    stationed = sorted(
        (
            s
            for s in deps.directory.branch_managers(principal.branch_id)
            if s.get("status") == "active" and outlet_id in (s.get("outlet_ids") or [])
        ),
        key=lambda s: s["staff_id"],
    )
    owner = (stationed[0]["staff_id"], stationed[0]["name"]) if stationed else None
    record = new_record(
        deps,
        branch_id=principal.branch_id,
        name=body.name,
        phone=body.phone,
        id_number=body.id_number,
        prospect_class=body.prospect_class or deps.policy.referral_default_class,
        source=OUTLET_REFERRAL,
        outlet_id=outlet_id,
        first_contact_on=clock.today(),
        need=body.need,
        note=body.note,
        registered_by=f"outlet:{outlet_id}",
        owner=owner,
        referred_by_outlet=outlet_id,
        referrer={"name": body.referrer_name, "employee_no": body.referrer_employee_no},
    )
    written, existing, matched = create_or_find_existing(deps, record, counted_for=None)
    if written is not None:
        return referral_view(written)
    assert existing is not None
    record_collision(
        deps, existing, matched, by=outlet_id, kind="outlet", by_branch=principal.branch_id, source=OUTLET_REFERRAL
    )
    # An outlet hears "already registered" and nothing more; the branch supervisor sees the collision.
    raise AlreadyRegistered("already registered")


def list_referrals(
    deps: ProspectDeps, principal: Principal, limit: int, start_key: dict | None
) -> Page[ProspectRecord]:
    return deps.repo.list_outlet_referrals(principal.id, limit=limit, start_key=start_key)


def get_referral(deps: ProspectDeps, principal: Principal, referral_id: str) -> dict:
    record = deps.repo.get(referral_id)
    if not record or record.referred_by_outlet != principal.id:
        raise NotFound(f"referral {referral_id} not found")
    return referral_view(record)
