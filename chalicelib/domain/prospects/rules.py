"""The pure prospect rules: protection, first contact, reclaim block, states, and the masked views.

No I/O here: every function takes the record and the policy it needs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ... import clock
from ...models.common import mask_name
from ...models.prospects import ProspectRecord, ProspectStatus
from .ports import ProspectPolicy


def protection_days(policy: ProspectPolicy, prospect_class: str) -> int:
    """DOMAIN 2, a product decision (公海/保护期): protected while followed up; with no follow-up for
    7 days (A), 15 (B), 30 (C) the claim lapses; D has no protection (0)."""
    return {"A": policy.protection_days_a, "B": policy.protection_days_b, "C": policy.protection_days_c}.get(
        prospect_class, 0
    )


def protected_until(policy: ProspectPolicy, prospect_class: str, anchor: date) -> date:
    """The last protected day; the claim lapses in the daily run after it. D lapses at the next run."""
    return anchor + timedelta(days=protection_days(policy, prospect_class))


def first_contact_due(policy: ProspectPolicy, first_contact_on: date) -> date:
    """000 第四篇: "需要在和准客户初次见面后的三天内与他(她)联系" (setting first_contact_days)."""
    return first_contact_on + timedelta(days=policy.first_contact_days)


def reclaim_blocked_until(policy: ProspectPolicy, released_on: date) -> date:
    """A previous owner may claim the prospect from the pool again from this day on (setting
    pool_reclaim_block_days: a lapsed claim is not renewed by releasing and re-picking it)."""
    return released_on + timedelta(days=policy.pool_reclaim_block_days)


def is_protected(record: ProspectRecord, today: date) -> bool:
    return (
        record.status == ProspectStatus.active
        and record.prospect_class != "D"
        and record.protected_until is not None
        and record.protected_until >= today
    )


def registration_state(record: ProspectRecord, today: date) -> str:
    if record.status == ProspectStatus.converted:
        return "converted"
    if record.status == ProspectStatus.pool:
        return "pool"
    return "protected" if is_protected(record, today) else "unprotected"


# --- transitions: each returns a new record, the caller writes it conditionally on the old version ----------
def assign(
    policy: ProspectPolicy, record: ProspectRecord, owner_id: str, owner_name: str, today: date, next_follow_up: date
) -> ProspectRecord:
    """The record owned by `owner_id` from today: protection restarts, out of the pool."""
    return record.model_copy(
        update={
            "status": ProspectStatus.active,
            "owner_id": owner_id,
            "owner_name": owner_name,
            "assigned_on": today,
            "protected_until": protected_until(policy, record.prospect_class, today),
            "next_follow_up": next_follow_up,
            "released_at": None,
        }
    )


def to_pool(record: ProspectRecord, now: datetime) -> ProspectRecord:
    """Released to the branch pool (公海); the releasing day is kept per owner for the reclaim block."""
    previous = dict(record.previous_owners)
    update: dict = {
        "status": ProspectStatus.pool,
        "released_at": clock.iso(now),
        "owner_id": None,
        "owner_name": None,
        "protected_until": None,
        "next_follow_up": None,
        "assigned_on": None,
    }
    if record.owner_id:
        previous[record.owner_id] = clock.local_date(now)
        update["last_owner_id"] = record.owner_id
    update["previous_owners"] = previous
    return record.model_copy(update=update)


def next_version(record: ProspectRecord, previous: ProspectRecord) -> ProspectRecord:
    return record.model_copy(update={"version": previous.version + 1, "updated_at": clock.iso(clock.now())})


# --- views -------------------------------------------------------------------------------------------
def view(record: ProspectRecord, today: date) -> dict:
    """The ordinary view: phone and ID number masked, never clear."""
    stored = record.model_dump(mode="json")
    return {
        **{k: v for k, v in stored.items() if not k.endswith(("_sealed", "_hash", "_masked"))},
        "phone": record.phone_masked,
        "id_number": record.id_masked,
        "protected": is_protected(record, today),
        "first_contact_overdue": record.status == ProspectStatus.active
        and record.follow_up_count == 0
        and today > record.first_contact_due,
    }


def pool_view(record: ProspectRecord) -> dict:
    return {
        "prospect_id": record.prospect_id,
        "name": mask_name(record.name),
        "phone": record.phone_masked,
        "prospect_class": record.prospect_class,
        "source": record.source,
        "outlet_id": record.outlet_id,
        "need": record.need,
        "released_at": record.released_at,
    }
