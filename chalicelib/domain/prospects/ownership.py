"""The owner's work on a prospect, and what their supervisor sees: read, list, follow up, reveal.

A prospect is visible to its owning manager and to a supervisor of its branch; anyone else is answered
as for an unknown prospect, so ids cannot probe another manager's list.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ... import clock
from ...errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ...models.common import Role
from ...models.prospects import FollowUpIn, ProspectRecord, ProspectStatus, RevealIn
from . import rules
from .ports import Page, ProspectDeps, StaleRecord

if TYPE_CHECKING:
    from ...auth import Principal


class NotTheOwner(Forbidden):
    """Only the owning client manager follows a prospect up."""


class NotFollowedUpWhenInactive(Unprocessable):
    """A prospect in the pool or converted is nobody's work: it takes no follow-ups."""


def _visible(principal: Principal, prospect_id: str, record: ProspectRecord | None) -> ProspectRecord:
    if record and (
        record.owner_id == principal.id
        or (principal.role == Role.supervisor and record.branch_id == principal.branch_id)
    ):
        return record
    raise NotFound(f"prospect {prospect_id} not found")


def get(deps: ProspectDeps, principal: Principal, prospect_id: str) -> dict:
    record, follow_ups = deps.repo.get_with_follow_ups(prospect_id)
    return {**rules.view(_visible(principal, prospect_id, record), clock.today()), "follow_ups": follow_ups}


def list_prospects(
    deps: ProspectDeps, principal: Principal, owner_id: str | None, limit: int, start_key: dict | None
) -> Page[ProspectRecord]:
    if principal.role == Role.client_manager:
        if owner_id and owner_id != principal.id:
            raise Forbidden("client managers list their own prospects only")
        owner_id = principal.id
    else:
        if not owner_id:
            raise ValidationFailed.field("query.owner_id", "supervisors name the manager whose prospects to list")
        staff = deps.directory.get_staff_for_scope(owner_id)
        if not staff or staff["branch_id"] != principal.branch_id:
            raise Forbidden("supervisors list their own branch's managers only")
    return deps.repo.list_owned(owner_id, limit=limit, start_key=start_key)


def add_follow_up(deps: ProspectDeps, principal: Principal, prospect_id: str, body: FollowUpIn) -> dict:
    """000 第四篇: follow-ups are recorded (contact, need, next step); each one restarts the protection."""
    now = clock.now()
    today = clock.local_date(now)
    if body.next_date and body.next_date < today:
        raise ValidationFailed.field("next_date", "cannot be in the past")
    current = _visible(principal, prospect_id, deps.repo.get(prospect_id, consistent=True))
    if current.owner_id != principal.id:
        raise NotTheOwner("only the owning client manager may do this")
    if current.status != ProspectStatus.active:
        raise NotFollowedUpWhenInactive(f"a {current.status.value} prospect takes no follow-ups")
    follow_up = {
        "follow_up_id": uuid.uuid4().hex,
        "prospect_id": prospect_id,
        "at": clock.iso(now),
        "by": principal.id,
        **body.model_dump(mode="json"),
    }
    new_class = body.class_change or current.prospect_class
    until = rules.protected_until(deps.policy, new_class, today)
    record = current.model_copy(
        update={
            "prospect_class": new_class,
            "follow_up_count": current.follow_up_count + 1,
            "last_follow_up_at": follow_up["at"],
            "protected_until": until,
            "next_follow_up": body.next_date or until,
        }
    )
    try:
        deps.repo.save_with_follow_up(rules.next_version(record, current), follow_up, expected_version=current.version)
    except StaleRecord:
        raise Conflict("the prospect changed meanwhile; reload and retry") from None
    return follow_up


def reveal(deps: ProspectDeps, principal: Principal, prospect_id: str, body: RevealIn) -> dict:
    """The full numbers to the prospect's owning manager only (its follow-up is their work)."""
    record = deps.repo.get(prospect_id, consistent=True)
    if not record:
        raise NotFound(f"prospect {prospect_id} not found")
    if record.owner_id != principal.id:
        # Audited, and answered as for an unknown prospect: another manager's list is not theirs to probe.
        deps.disclosures.refuse(principal, record, body, "only the owning client manager may do this")
        raise NotFound(f"prospect {prospect_id} not found")
    sealed = {"phone": record.phone_sealed, "id_number": record.id_sealed}
    if not any(sealed[f] for f in body.fields):
        raise Unprocessable("this prospect has none of the requested fields")
    values: dict[str, str | None] = {
        f: deps.sealer.unseal(value) if (value := sealed[f]) else None for f in body.fields
    }
    shown, audit_id = deps.disclosures.grant(principal, record, body, values)
    return {"prospect_id": prospect_id, **shown, "audit_id": audit_id}


def list_collisions(deps: ProspectDeps, principal: Principal, limit: int, start_key: dict | None) -> Page[dict]:
    return deps.repo.list_collisions(principal.branch_id, limit=limit, start_key=start_key)
