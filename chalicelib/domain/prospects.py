"""Intent-client rules (DOMAIN 2 and 5; seeds 004, 000).

First to register owns the prospect (004 "未备案的信息谁先备案算谁的"): the claim
items keyed by the HMAC of the phone and ID number are written in one transaction
with the prospect, so the first conditional write wins. A later claim is a
collision (撞单): recorded for the supervisor, answered without the prospect's
details. A claim stays protected while followed up (A 7, B 15, C 30 days, D none);
the daily job releases lapsed claims to the branch pool (公海).
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from .. import clock, submission
from ..auth import Principal
from ..config import get_settings
from ..errors import Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable, ValidationFailed
from ..models.common import mask_id_number, mask_name, mask_phone
from ..models.prospects import (ACTIVE, CONVERTED, OUTLET_REFERRAL, POOL, FollowUpIn, ProspectIn, ReassignIn,
                                ReferralIn, RevealIn)
from ..observability import logger
from ..storage import audit as audit_repo
from ..storage import directory as directory_repo
from ..storage import prospects as repo
from ..storage.base import TransactionCancelled
from ..storage.pii import seal, unseal
from . import disclosure

LAPSE_JOB = "prospect-lapse"
_TX_RETRIES = 3


class AlreadyRegistered(Conflict):
    code = "already_registered"


class RegistrationQuotaExhausted(TooManyRequests):
    code = "registration_quota_exhausted"
    retry_after = 3600


# --- rules (pure) -------------------------------------------------------------------------
def protection_days(prospect_class: str) -> int:
    """Days a claim stays protected after registration or the last follow-up; D has none (0)."""
    s = get_settings()
    return {"A": s.protection_days_a, "B": s.protection_days_b, "C": s.protection_days_c}.get(prospect_class, 0)


def protected_until(prospect_class: str, anchor: date) -> date:
    """The last protected day; the claim lapses in the daily run after it. D lapses at the next run."""
    return anchor + timedelta(days=protection_days(prospect_class))


def first_contact_due(first_contact_on: date) -> date:
    return first_contact_on + timedelta(days=get_settings().first_contact_days)


def reclaim_blocked_until(released_on: date) -> date:
    """A previous owner may claim the prospect from the pool again from this day on."""
    return released_on + timedelta(days=get_settings().pool_reclaim_block_days)


def is_protected(record: dict, today: date) -> bool:
    return (record["status"] == ACTIVE and record["prospect_class"] != "D"
            and bool(record.get("protected_until")) and _d(record["protected_until"]) >= today)


def registration_state(record: dict, today: date) -> str:
    if record["status"] == CONVERTED:
        return "converted"
    if record["status"] == POOL:
        return "pool"
    return "protected" if is_protected(record, today) else "unprotected"


def referral_status(record: dict) -> str:
    """What an outlet sees: registered, contacted, converted, lapsed (released to the pool).

    A referral that went straight to the pool (no manager stationed at the outlet) was
    never held, so it has not lapsed: it is registered and waiting to be claimed.
    """
    if record["status"] == CONVERTED:
        return "converted"
    if record["status"] == POOL and record.get("last_owner_id"):
        return "lapsed"
    if record["status"] == POOL:
        return "registered"
    return "contacted" if int(record.get("follow_up_count") or 0) > 0 else "registered"


def _d(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _assign(record: dict, owner_id: str, owner_name: str, today: date, next_follow_up: date) -> dict:
    """The record owned by `owner_id` from today: protection restarts, out of the pool."""
    out = {k: v for k, v in record.items() if k not in ("released_at",)}
    out.update(status=ACTIVE, owner_id=owner_id, owner_name=owner_name, assigned_on=today.isoformat(),
               protected_until=protected_until(record["prospect_class"], today).isoformat(),
               next_follow_up=next_follow_up.isoformat())
    return out


def _to_pool(record: dict, now) -> dict:
    out = {k: v for k, v in record.items() if k not in ("owner_id", "owner_name", "protected_until",
                                                        "next_follow_up", "assigned_on")}
    previous = dict(record.get("previous_owners") or {})
    if record.get("owner_id"):
        previous[record["owner_id"]] = clock.local_date(now).isoformat()
        out["last_owner_id"] = record["owner_id"]
    out.update(status=POOL, released_at=clock.iso(now), previous_owners=previous)
    return out


def _bump(record: dict, previous: dict) -> dict:
    record["version"] = int(previous["version"]) + 1
    record["updated_at"] = clock.iso(clock.now())
    return record


# --- views --------------------------------------------------------------------------------
def view(record: dict) -> dict:
    """The ordinary view: phone and ID number masked, never clear."""
    today = clock.today()
    due = _d(record["first_contact_due"])
    return {**{k: v for k, v in record.items() if not k.endswith(("_sealed", "_hash", "_masked"))},
            "phone": record.get("phone_masked"), "id_number": record.get("id_masked"),
            "protected": is_protected(record, today),
            "first_contact_overdue": record["status"] == ACTIVE and int(record.get("follow_up_count") or 0) == 0
            and today > due}


def pool_view(record: dict) -> dict:
    return {"prospect_id": record["prospect_id"], "name": mask_name(record["name"]),
            "phone": record["phone_masked"], "prospect_class": record["prospect_class"],
            "source": record["source"], "outlet_id": record.get("outlet_id"), "need": record.get("need", ""),
            "released_at": record["released_at"]}


def referral_view(record: dict) -> dict:
    referrer = record.get("referrer") or {}
    return {"referral_id": record["prospect_id"], "name": mask_name(record["name"]),
            "phone": record["phone_masked"], "status": referral_status(record), "referred_at": record["created_at"],
            "referrer_name": referrer.get("name"), "referrer_employee_no": referrer.get("employee_no")}


# --- registration -------------------------------------------------------------------------
def _new_record(*, branch_id: str, name: str, phone: str, id_number: str | None, prospect_class: str, source: str,
                outlet_id: str | None, first_contact_on: date, need: str, note: str, registered_by: str,
                owner: dict | None, referred_by_outlet: str | None = None, referrer: dict | None = None) -> dict:
    now = clock.now()
    today = clock.local_date(now)
    record = {"prospect_id": submission.record_id("prospect"), **submission.stamp(), "branch_id": branch_id, "name": name,
              "phone_sealed": seal(phone), "phone_hash": repo.phone_hash(phone), "phone_masked": mask_phone(phone),
              "prospect_class": prospect_class, "source": source, "outlet_id": outlet_id,
              "first_contact_on": first_contact_on.isoformat(),
              "first_contact_due": first_contact_due(first_contact_on).isoformat(), "need": need, "note": note,
              "follow_up_count": 0, "created_at": clock.iso(now), "registered_on": today.isoformat(),
              "registered_by": registered_by, "referred_by_outlet": referred_by_outlet, "referrer": referrer,
              "version": 1}
    if id_number:
        record.update(id_sealed=seal(id_number), id_hash=repo.id_hash(id_number), id_masked=mask_id_number(id_number))
    if owner:
        return _assign(record, owner["staff_id"], owner["name"], today, first_contact_due(first_contact_on))
    record.update(status=POOL, released_at=clock.iso(now), previous_owners={})
    return record


def _claims(record: dict) -> list[tuple[str, str]]:
    claims = [(repo.PHONE, record["phone_hash"])]
    if record.get("id_hash"):
        claims.append((repo.ID_NUMBER, record["id_hash"]))
    return claims


def _create_or_find_existing(record: dict, stats_manager_id: str | None) -> tuple[dict | None, list[str]]:
    """Write the prospect with its claims. Returns (None, []) if it won, else (existing prospect, matched kinds)."""
    claims = _claims(record)
    for _ in range(_TX_RETRIES):
        try:
            repo.create_prospect(record, claims, stats_manager_id)
            return None, []
        except TransactionCancelled as err:
            lost = [kind for i, (kind, _) in enumerate(claims) if err.failed(i)]
        except Conflict:  # a concurrent transaction on the same claim: read what won, or retry
            lost = []
        held = [(kind, repo.get_claim(kind, h)) for kind, h in claims]
        held = [(kind, claim) for kind, claim in held if claim]
        if held:
            existing = repo.get_prospect(held[0][1]["prospect_id"], consistent=True)
            if existing and existing["prospect_id"] == record["prospect_id"] and submission.replay_of(existing):
                return None, []   # this submission's own earlier write (a lost response): not a collision
            if existing:
                return existing, [kind for kind, _ in held]
        if lost:
            raise Conflict("the registration could not be completed; retry")
    raise Conflict("the registration could not be completed; retry")


def _record_collision(existing: dict, matched: list[str], *, by: str, kind: str, by_branch: str, source: str) -> dict:
    now = clock.iso(clock.now())
    collision = {"collision_id": uuid.uuid4().hex, "prospect_id": existing["prospect_id"],
                 "branch_id": existing["branch_id"], "at": now, "attempted_by": by, "attempted_by_kind": kind,
                 "attempted_by_branch": by_branch, "existing_owner_id": existing.get("owner_id"), "source": source,
                 "matched_on": matched}
    repo.put_collision(collision)
    logger.info("prospect collision", extra={"collision_id": collision["collision_id"],
                                              "prospect_id": existing["prospect_id"], "attempted_by": by})
    return collision


def register(principal: Principal, body: ProspectIn) -> dict:
    today = clock.today()
    if body.first_contact_on > today:
        raise ValidationFailed.field("first_contact_on", "cannot be in the future")
    if body.outlet_id:
        outlet = directory_repo.get_outlet(body.outlet_id)
        if not outlet or outlet["branch_id"] != principal.branch_id:
            raise ValidationFailed.field("outlet_id", "unknown outlet in your branch")
    cap = get_settings().registrations_per_manager_per_day
    if not repo.take_registration(principal.id, today.isoformat(), cap):
        # A claim locks a number for days: without a cap one manager can lock a list of numbers, or use
        # the answer to probe which are registered (issue 16 §7).
        raise RegistrationQuotaExhausted(f"at most {cap} registrations a day; the quota renews tomorrow")
    record = _new_record(branch_id=principal.branch_id, name=body.name, phone=body.phone, id_number=body.id_number,
                         prospect_class=body.prospect_class, source=body.source, outlet_id=body.outlet_id,
                         first_contact_on=body.first_contact_on, need=body.need, note=body.note,
                         registered_by=principal.id, owner={"staff_id": principal.id, "name": principal.name})
    existing, matched = _create_or_find_existing(record, stats_manager_id=principal.id)
    if existing is None:
        logger.info("prospect registered", extra={"prospect_id": record["prospect_id"]})
        return view(repo.get_prospect(record["prospect_id"], consistent=True) or record)
    if (existing["status"] == POOL and existing["branch_id"] != principal.branch_id
            and get_settings().cross_branch_pool_claims):
        taken = _take_from_another_pool(principal, existing, body, today)
        if taken:
            _record_collision(existing, matched, by=principal.id, kind="staff", by_branch=principal.branch_id,
                              source=body.source)
            return view(taken)
    _record_collision(existing, matched, by=principal.id, kind="staff", by_branch=principal.branch_id,
                      source=body.source)
    if existing["branch_id"] != principal.branch_id:
        # Another branch's prospect: "already registered" and nothing more, as a partner outlet hears;
        # that branch's supervisor sees the collision.
        raise AlreadyRegistered("this person is already registered")
    owner = existing.get("owner_name") if existing["status"] != POOL else None
    raise AlreadyRegistered("this person is already registered", extra={"registration": {
        "registered_at": existing["created_at"], "state": registration_state(existing, today),
        "owner": mask_name(owner) if owner else None}})


def _take_from_another_pool(principal: Principal, existing: dict, body: ProspectIn, today: date) -> dict | None:
    """004: "未备案的信息谁先备案算谁的" - a prospect in another branch's pool is nobody's: the first manager
    to register it, in any branch, owns it (setting cross_branch_pool_claims). None if it moved meanwhile."""
    record = _assign(existing, principal.id, principal.name, today, first_contact_due(body.first_contact_on))
    record.update(branch_id=principal.branch_id, outlet_id=body.outlet_id, previous_branch_id=existing["branch_id"],
                  prospect_class=body.prospect_class, source=body.source, registered_by=principal.id,
                  first_contact_on=body.first_contact_on.isoformat(),
                  first_contact_due=first_contact_due(body.first_contact_on).isoformat())
    try:
        repo.save_prospect(_bump(record, existing), existing["version"])
    except TransactionCancelled:
        return None
    logger.info("prospect taken from another branch's pool", extra={"prospect_id": existing["prospect_id"]})
    return record


def register_referral(principal: Principal, body: ReferralIn) -> dict:
    """A partner outlet's referral: owned by the manager stationed at the outlet, else the branch pool."""
    outlet_id = principal.id
    stationed = sorted((s for s in directory_repo.all_branch_staff(principal.branch_id, "client_manager")
                        if s.get("status") == "active" and outlet_id in (s.get("outlet_ids") or [])),
                       key=lambda s: s["staff_id"])
    owner = stationed[0] if stationed else None
    record = _new_record(branch_id=principal.branch_id, name=body.name, phone=body.phone, id_number=body.id_number,
                         prospect_class=body.prospect_class or get_settings().referral_default_class,
                         source=OUTLET_REFERRAL, outlet_id=outlet_id, first_contact_on=clock.today(), need=body.need,
                         note=body.note, registered_by=f"outlet:{outlet_id}", owner=owner,
                         referred_by_outlet=outlet_id,
                         referrer={"name": body.referrer_name, "employee_no": body.referrer_employee_no})
    existing, matched = _create_or_find_existing(record, stats_manager_id=None)
    if existing is None:
        return referral_view(repo.get_prospect(record["prospect_id"], consistent=True) or record)
    _record_collision(existing, matched, by=outlet_id, kind="outlet", by_branch=principal.branch_id,
                      source=OUTLET_REFERRAL)
    raise AlreadyRegistered("already registered")


# --- reading --------------------------------------------------------------------------------
def _visible(principal: Principal, prospect_id: str, record: dict | None = None) -> dict:
    record = record if record is not None else repo.get_prospect(prospect_id, consistent=True)
    if record and (record.get("owner_id") == principal.id
                   or (principal.role == "supervisor" and record["branch_id"] == principal.branch_id)):
        return record
    raise NotFound(f"prospect {prospect_id} not found")


def _owned(principal: Principal, prospect_id: str) -> dict:
    record = _visible(principal, prospect_id)
    if record.get("owner_id") != principal.id:
        raise Forbidden("only the owning client manager may do this")
    return record


def get(principal: Principal, prospect_id: str) -> dict:
    record, follow_ups = repo.get_with_follow_ups(prospect_id)
    if record is None:
        raise NotFound(f"prospect {prospect_id} not found")
    return {**view(_visible(principal, prospect_id, record)), "follow_ups": follow_ups}


def list_prospects(principal: Principal, owner_id: str | None, limit: int, start_key):
    if principal.role == "client_manager":
        if owner_id and owner_id != principal.id:
            raise Forbidden("client managers list their own prospects only")
        owner_id = principal.id
    else:
        if not owner_id:
            raise ValidationFailed.field("query.owner_id", "supervisors name the manager whose prospects to list")
        staff = directory_repo.get_staff(owner_id)
        if not staff or staff["branch_id"] != principal.branch_id:
            raise Forbidden("supervisors list their own branch's managers only")
    return repo.list_owned(owner_id, limit=limit, start_key=start_key)


# --- follow-ups -------------------------------------------------------------------------------
def add_follow_up(principal: Principal, prospect_id: str, body: FollowUpIn) -> dict:
    now = clock.now()
    today = clock.local_date(now)
    if body.next_date and body.next_date < today:
        raise ValidationFailed.field("next_date", "cannot be in the past")
    current = _owned(principal, prospect_id)
    if current["status"] != ACTIVE:
        raise Unprocessable(f"a {current['status']} prospect takes no follow-ups")
    follow_up = {"follow_up_id": uuid.uuid4().hex, "prospect_id": prospect_id, "at": clock.iso(now),
                 "by": principal.id, **body.model_dump(mode="json")}
    new_class = body.class_change or current["prospect_class"]
    record = {**current, "prospect_class": new_class, "follow_up_count": int(current.get("follow_up_count") or 0) + 1,
              "last_follow_up_at": follow_up["at"],
              "protected_until": protected_until(new_class, today).isoformat()}
    record["next_follow_up"] = (body.next_date or protected_until(new_class, today)).isoformat()
    try:
        repo.save_prospect(_bump(record, current), current["version"], [repo.follow_up_op(follow_up)])
    except TransactionCancelled:
        raise Conflict("the prospect changed meanwhile; reload and retry") from None
    return follow_up


# --- disclosure -------------------------------------------------------------------------------
def reveal(principal: Principal, prospect_id: str, body: RevealIn) -> dict:
    """The full numbers to the prospect's owning manager only (its follow-up is their work)."""
    record = repo.get_prospect(prospect_id, consistent=True)
    if not record:
        raise NotFound(f"prospect {prospect_id} not found")
    subject = disclosure.Subject("prospect", prospect_id, record["branch_id"])
    purpose = disclosure.Purpose.of(body)
    if record.get("owner_id") != principal.id:
        # Audited, and answered as for an unknown prospect: another manager's list is not theirs to probe.
        disclosure.record_refusal(principal, subject, purpose, "only the owning client manager may do this",
                                  body.fields)
        raise NotFound(f"prospect {prospect_id} not found")
    sealed = {"phone": record.get("phone_sealed"), "id_number": record.get("id_sealed")}
    if not any(sealed[f] for f in body.fields):
        raise Unprocessable("this prospect has none of the requested fields")
    shown, audit = disclosure.grant(principal, subject, purpose,
                                    {f: unseal(sealed[f]) if sealed[f] else None for f in body.fields})
    return {"prospect_id": prospect_id, **shown, "audit_id": audit["audit_id"]}


def list_reveals(month: str, limit: int, start_key):
    return audit_repo.list_reveals(month, limit=limit, start_key=start_key)


# --- the pool (公海) -----------------------------------------------------------------------------
def list_pool(principal: Principal, limit: int, start_key):
    return repo.list_pool(principal.branch_id, limit=limit, start_key=start_key)


def claim_from_pool(principal: Principal, prospect_id: str) -> dict:
    today = clock.today()
    current = repo.get_prospect(prospect_id, consistent=True)
    if not current or current["branch_id"] != principal.branch_id:
        raise NotFound(f"prospect {prospect_id} not found")
    if current["status"] != POOL:
        raise Conflict("this prospect is not in the pool")
    released_on = (current.get("previous_owners") or {}).get(principal.id)
    if released_on and today < reclaim_blocked_until(_d(released_on)):
        raise Unprocessable(f"a previous owner may claim this prospect again from "
                            f"{reclaim_blocked_until(_d(released_on)).isoformat()}")
    limit = get_settings().pool_daily_pick_limit
    record = _assign(current, principal.id, principal.name, today, today + timedelta(days=get_settings().first_contact_days))
    try:
        repo.save_prospect(_bump(record, current), current["version"], [repo.pool_pick_op(principal.id, today, limit)])
    except TransactionCancelled as err:
        if err.failed(1):
            raise Unprocessable(f"daily pool pick limit of {limit} reached") from None
        raise Conflict("someone else claimed this prospect first") from None
    return view(record)


def reassign(principal: Principal, prospect_id: str, body: ReassignIn) -> dict:
    current = repo.get_prospect(prospect_id, consistent=True)
    if not current or current["branch_id"] != principal.branch_id:
        raise NotFound(f"prospect {prospect_id} not found")
    if current["status"] == CONVERTED:
        raise Unprocessable("a converted prospect's attribution is final")
    target = directory_repo.get_staff(body.to_manager_id)
    if (not target or target["branch_id"] != principal.branch_id or target["role"] != "client_manager"
            or target.get("status") != "active"):
        raise ValidationFailed.field("to_manager_id", "not an active client manager of your branch")
    if current.get("owner_id") == target["staff_id"]:
        raise Unprocessable("the prospect already belongs to this manager")
    today = clock.today()
    record = _assign(current, target["staff_id"], target["name"], today,
                     today + timedelta(days=get_settings().first_contact_days))
    record.update(reassigned_by=principal.id, reassigned_from=current.get("owner_id"), reassign_reason=body.reason)
    try:
        repo.save_prospect(_bump(record, current), current["version"])
    except TransactionCancelled:
        raise Conflict("the prospect changed meanwhile; reload and retry") from None
    return view(record)


# --- collisions -----------------------------------------------------------------------------------
def list_collisions(principal: Principal, limit: int, start_key):
    return repo.list_branch_collisions(principal.branch_id, limit=limit, start_key=start_key)


# --- the daily lapse job ------------------------------------------------------------------------
def release_lapsed(today: date | None = None) -> dict:
    """Release claims whose protection ended before `today` to the branch pool.

    Reads only the LAPSE#<day> buckets from the day after the watermark to yesterday, so a
    missed run is caught up by the next one; each day's bucket is committed to the watermark.
    """
    today = today or clock.today()
    through = today - timedelta(days=1)
    mark = repo.get_watermark(LAPSE_JOB)
    start = (_d(mark) + timedelta(days=1)) if mark else through - timedelta(
        days=get_settings().lapse_catch_up_max_days - 1)
    released = 0
    day = start
    while day <= through:
        for candidate in repo.lapsing_on(day.isoformat()):
            released += _release_one(candidate["prospect_id"], day)
        repo.set_watermark(LAPSE_JOB, day.isoformat(), clock.iso(clock.now()))
        day += timedelta(days=1)
    logger.info("lapse run", extra={"from": start.isoformat(), "through": through.isoformat(), "released": released})
    return {"from": start.isoformat(), "through": through.isoformat(), "released": released}


def _release_one(prospect_id: str, day: date) -> int:
    for _ in range(_TX_RETRIES):
        current = repo.get_prospect(prospect_id, consistent=True)
        # A follow-up since the index was read moved protected_until on: nothing to release.
        if not current or current["status"] != ACTIVE or current.get("protected_until") != day.isoformat():
            return 0
        try:
            repo.save_prospect(_bump(_to_pool(current, clock.now()), current), current["version"])
            return 1
        except (TransactionCancelled, Conflict):
            continue
    return 0


# --- counts for other areas -------------------------------------------------------------------------
def manager_month_counts(manager_id: str, month: str) -> dict:
    """Prospects a manager registered, and converted (owned at account opening), in a month (YYYY-MM)."""
    stats = repo.month_stats(manager_id, month)
    return {"registered": int(stats.get("registered", 0)), "converted": int(stats.get("converted", 0))}


# --- partner outlets --------------------------------------------------------------------------------
def list_referrals(principal: Principal, limit: int, start_key):
    return repo.list_outlet_referrals(principal.id, limit=limit, start_key=start_key)


def get_referral(principal: Principal, referral_id: str) -> dict:
    record = repo.get_prospect(referral_id)
    if not record or record.get("referred_by_outlet") != principal.id:
        raise NotFound(f"referral {referral_id} not found")
    return referral_view(record)
