"""Registering a prospect: first to register owns it, a later claim is a collision (撞单).

004 六: "未备案的信息谁先备案算谁的". The claims keyed by the lookup hashes of the phone and ID number
are written in one all-or-nothing write with the prospect (`ProspectRepository.create`), so the first
write wins. A later claim is recorded for the supervisor and answered without the prospect's details.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from ... import clock, submission
from ...errors import Conflict, TooManyRequests, ValidationFailed
from ...models.common import mask_id_number, mask_name, mask_phone
from ...models.prospects import ClaimKind, ProspectIn, ProspectRecord, ProspectStatus
from ...observability import logger
from . import rules
from .ports import ClaimTaken, ProspectDeps, RegistrationCapReached, StaleRecord

if TYPE_CHECKING:
    from ...auth import Principal

_TX_RETRIES = 3


class AlreadyRegistered(Conflict):
    """004 "谁先备案算谁的": someone registered this person first."""

    code = "already_registered"


class RegistrationQuotaExhausted(TooManyRequests):
    """A claim locks a number for days: without a daily cap one manager could lock a list of numbers, or use
    the answers to probe which are registered (issue 16 §7)."""

    code = "registration_quota_exhausted"
    retry_after = 3600


def register(deps: ProspectDeps, principal: Principal, body: ProspectIn) -> dict:
    today = clock.today()
    if body.first_contact_on > today:
        raise ValidationFailed.field("first_contact_on", "cannot be in the future")
    if body.outlet_id:
        outlet = deps.directory.get_outlet(body.outlet_id)
        if not outlet or outlet["branch_id"] != principal.branch_id:
            raise ValidationFailed.field("outlet_id", "unknown outlet in your branch")
    cap = deps.policy.registrations_per_manager_per_day
    record = new_record(
        deps,
        branch_id=principal.branch_id,
        name=body.name,
        phone=body.phone,
        id_number=body.id_number,
        prospect_class=body.prospect_class,
        source=body.source,
        outlet_id=body.outlet_id,
        first_contact_on=body.first_contact_on,
        need=body.need,
        note=body.note,
        registered_by=principal.id,
        owner=(principal.id, principal.name),
    )
    # The day's attempt is counted by the registering write itself; an attempt that finds the person
    # registered counts too (below), so the answers cannot probe a list of numbers past the cap.
    try:
        written, existing, matched = create_or_find_existing(deps, record, counted_for=principal.id, daily_cap=cap)
    except RegistrationCapReached:
        raise _quota_exhausted(cap) from None
    if written is not None:
        logger.info("prospect registered", extra={"prospect_id": record.prospect_id})
        return rules.view(written, today)
    assert existing is not None
    if not deps.repo.take_registration(principal.id, today, cap):
        raise _quota_exhausted(cap)
    if (
        existing.status == ProspectStatus.pool
        and existing.branch_id != principal.branch_id
        and deps.policy.cross_branch_pool_claims
    ):
        taken = _take_from_another_pool(deps, principal, existing, body, today)
        if taken:
            record_collision(
                deps,
                existing,
                matched,
                by=principal.id,
                kind="staff",
                by_branch=principal.branch_id,
                source=body.source,
            )
            return rules.view(taken, today)
    record_collision(
        deps, existing, matched, by=principal.id, kind="staff", by_branch=principal.branch_id, source=body.source
    )
    if existing.branch_id != principal.branch_id:
        # Another branch's prospect: "already registered" and nothing more, as a partner outlet hears;
        # that branch's supervisor sees the collision.
        raise AlreadyRegistered("this person is already registered")
    owner = existing.owner_name if existing.status != ProspectStatus.pool else None
    raise AlreadyRegistered(
        "this person is already registered",
        extra={
            "registration": {
                "registered_at": existing.created_at,
                "state": rules.registration_state(existing, today),
                "owner": mask_name(owner) if owner else None,
            }
        },
    )


def _quota_exhausted(cap: int) -> RegistrationQuotaExhausted:
    return RegistrationQuotaExhausted(f"at most {cap} registrations a day; the quota renews tomorrow")


def _take_from_another_pool(
    deps: ProspectDeps, principal: Principal, existing: ProspectRecord, body: ProspectIn, today: date
) -> ProspectRecord | None:
    """004 "未备案的信息谁先备案算谁的": a prospect in another branch's pool is nobody's, so the first manager
    to register it, in any branch, owns it (setting cross_branch_pool_claims). None if it moved meanwhile."""
    due = rules.first_contact_due(deps.policy, body.first_contact_on)
    record = rules.assign(deps.policy, existing, principal.id, principal.name, today, due).model_copy(
        update={
            "branch_id": principal.branch_id,
            "outlet_id": body.outlet_id,
            "previous_branch_id": existing.branch_id,
            "prospect_class": body.prospect_class,
            "source": body.source,
            "registered_by": principal.id,
            "first_contact_on": body.first_contact_on,
            "first_contact_due": due,
        }
    )
    # protected_until stays the one `assign` computed from the class the prospect had in the pool (as before
    # the split; docs/next-steps.md "Helper i17p" asks whether the new class should count).
    record = rules.next_version(record, existing)
    try:
        deps.repo.save(record, expected_version=existing.version)
    except StaleRecord:
        return None
    logger.info("prospect taken from another branch's pool", extra={"prospect_id": existing.prospect_id})
    return record


# --- shared with referrals --------------------------------------------------------------------------
def new_record(
    deps: ProspectDeps,
    *,
    branch_id: str,
    name: str,
    phone: str,
    id_number: str | None,
    prospect_class: str,
    source: str,
    outlet_id: str | None,
    first_contact_on: date,
    need: str,
    note: str,
    registered_by: str,
    owner: tuple[str, str] | None,
    referred_by_outlet: str | None = None,
    referrer: dict | None = None,
) -> ProspectRecord:
    """A new prospect owned by `owner` (staff id, name), or in the branch pool when there is none."""
    now = clock.now()
    today = clock.local_date(now)
    due = rules.first_contact_due(deps.policy, first_contact_on)
    sealer = deps.sealer
    record = ProspectRecord.model_validate(
        {
            "prospect_id": submission.record_id("prospect"),
            **submission.stamp(),
            "branch_id": branch_id,
            "name": name,
            "phone_sealed": sealer.seal(phone),
            "phone_hash": sealer.lookup_hash(ClaimKind.phone, phone),
            "phone_masked": mask_phone(phone),
            "prospect_class": prospect_class,
            "source": source,
            "outlet_id": outlet_id,
            "first_contact_on": first_contact_on,
            "first_contact_due": due,
            "need": need,
            "note": note,
            "follow_up_count": 0,
            "created_at": clock.iso(now),
            "registered_on": today,
            "registered_by": registered_by,
            "referred_by_outlet": referred_by_outlet,
            "referrer": referrer,
            "version": 1,
            "status": ProspectStatus.pool,
            "released_at": clock.iso(now),
            "previous_owners": {},
        }
    )
    if id_number:
        record = record.model_copy(
            update={
                "id_sealed": sealer.seal(id_number),
                "id_hash": sealer.lookup_hash(ClaimKind.id_number, id_number),
                "id_masked": mask_id_number(id_number),
            }
        )
    if owner:
        return rules.assign(deps.policy, record, owner[0], owner[1], today, due)
    return record


def _claims(deps: ProspectDeps, record: ProspectRecord) -> list[tuple[ClaimKind, str]]:
    """The record's claims: its phone and ID number under every valid hash key, the writer's first. One key
    outside a rotation; during one (docs/operations.md, Rotate secrets) a number is claimed under both, so a
    container still holding either key finds the claim and the first registration keeps winning."""
    sealer = deps.sealer
    claims = [(ClaimKind.phone, record.phone_hash)]
    if record.id_hash:
        claims.append((ClaimKind.id_number, record.id_hash))
    others = [(ClaimKind.phone, sealer.unseal(record.phone_sealed))]
    if record.id_sealed:
        others.append((ClaimKind.id_number, sealer.unseal(record.id_sealed)))
    for kind, value in others:
        claims += [(kind, h) for h in sealer.lookup_hashes(kind, value) if (kind, h) not in claims]
    return claims


def create_or_find_existing(
    deps: ProspectDeps, record: ProspectRecord, *, counted_for: str | None, daily_cap: int | None = None
) -> tuple[ProspectRecord | None, ProspectRecord | None, list[ClaimKind]]:
    """Write the prospect with its claims: (the record as stored, None, []) if it won - this submission's
    earlier write is its stored record -, else (None, the prospect that holds a claim, the kinds it holds).
    With `daily_cap`, the write counts `counted_for`'s attempt of the day, or raises RegistrationCapReached."""
    claims = _claims(deps, record)
    for _ in range(_TX_RETRIES):
        try:
            deps.repo.create(record, counted_for=counted_for, daily_cap=daily_cap, claims=claims)
            return record, None, []  # as written: no read back
        except ClaimTaken as err:
            lost = err.kinds
        except RegistrationCapReached:
            raise
        except Conflict:  # a concurrent write on the same claim: read what won, or retry
            lost = []
        held: list[tuple[ClaimKind, str]] = []
        for kind, value in claims:  # the first holder found per kind (a number claimed under two keys)
            if kind not in [k for k, _ in held] and (holder := deps.repo.claim_holder(kind, value)):
                held.append((kind, holder))
        if held:
            existing = deps.repo.get(held[0][1], consistent=True)
            if (
                existing
                and existing.prospect_id == record.prospect_id
                and submission.replay_of(existing.model_dump(mode="json"))
            ):
                return existing, None, []  # this submission's own earlier write (a lost response): not a collision
            if existing:
                return None, existing, [kind for kind, _ in held]
        if lost:
            raise Conflict("the registration could not be completed; retry")
    raise Conflict("the registration could not be completed; retry")


def record_collision(
    deps: ProspectDeps,
    existing: ProspectRecord,
    matched: list[ClaimKind],
    *,
    by: str,
    kind: str,
    by_branch: str,
    source: str,
) -> dict:
    collision = {
        "collision_id": uuid.uuid4().hex,
        "prospect_id": existing.prospect_id,
        "branch_id": existing.branch_id,
        "at": clock.iso(clock.now()),
        "attempted_by": by,
        "attempted_by_kind": kind,
        "attempted_by_branch": by_branch,
        "existing_owner_id": existing.owner_id,
        "source": source,
        "matched_on": [m.value for m in matched],
    }
    deps.repo.add_collision(collision)
    logger.info(
        "prospect collision",
        extra={"collision_id": collision["collision_id"], "prospect_id": existing.prospect_id, "attempted_by": by},
    )
    return collision


def manager_month_counts(deps: ProspectDeps, manager_id: str, month: str) -> dict:
    """Prospects a manager registered, and converted (owned at account opening), in a month (YYYY-MM)."""
    return deps.repo.month_counts(manager_id, month)
