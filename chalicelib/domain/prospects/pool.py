"""The branch pool (公海): lapsed claims are released to it daily, managers claim from it, supervisors reassign.

DOMAIN 2, a product decision (公海/保护期): "with no follow-up for 7 days (A), 15 (B), 30 (C) it lapses and
the prospect returns to the branch pool; D has no protection".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ... import clock, submission
from ...errors import Conflict, NotFound, Unprocessable, ValidationFailed
from ...models.common import Role
from ...models.prospects import ProspectRecord, ProspectStatus, ReassignIn
from ...observability import logger
from ..daily_sweep import sweep_days
from . import rules
from .ports import Page, ProspectDeps, StaleRecord

if TYPE_CHECKING:
    from ...auth import Principal

LAPSE_JOB = "prospect-lapse"
_TX_RETRIES = 3


class NotInPool(Conflict):
    """Only a prospect in the pool can be claimed from it."""


class ClaimedByAnotherFirst(Conflict):
    """Two managers claimed the same pool prospect: the first write won."""


class ReclaimBlocked(Unprocessable):
    """A previous owner waits `pool_reclaim_block_days` before claiming a prospect released from them."""


class ConvertedIsFinal(Unprocessable):
    """000 第十三条: an opened account is attributed to its owner; reassigning would move the attribution."""


class AlreadyTheOwner(Unprocessable):
    """Reassigning a prospect to its owner would restart its protection without a follow-up."""


def list_pool(deps: ProspectDeps, principal: Principal, limit: int, start_key: dict | None) -> Page[ProspectRecord]:
    return deps.repo.list_pool(principal.branch_id, limit=limit, start_key=start_key)


def _in_branch(deps: ProspectDeps, principal: Principal, prospect_id: str) -> ProspectRecord:
    current = deps.repo.get(prospect_id, consistent=True)
    if not current or current.branch_id != principal.branch_id:
        raise NotFound(f"prospect {prospect_id} not found")
    return current


def claim_from_pool(deps: ProspectDeps, principal: Principal, prospect_id: str) -> dict:
    """Raises PoolPickLimitReached (from the repository) once the manager's picks of the day are used up.

    The claimed record carries this submission's reference (`claim_ref`): a retried Idempotency-Key (a lost
    response, the same request twice at once) is answered from the record, with nothing written again."""
    today = clock.today()
    current = _in_branch(deps, principal, prospect_id)
    if _claimed_by_this_submission(current, principal):
        return rules.view(current, today)
    if current.status != ProspectStatus.pool:
        raise NotInPool("this prospect is not in the pool")
    released_on = current.previous_owners.get(principal.id)
    if released_on and today < rules.reclaim_blocked_until(deps.policy, released_on):
        raise ReclaimBlocked(
            f"a previous owner may claim this prospect again from "
            f"{rules.reclaim_blocked_until(deps.policy, released_on).isoformat()}"
        )
    record = rules.assign(
        deps.policy,
        current,
        principal.id,
        principal.name,
        today,
        today + timedelta(days=deps.policy.first_contact_days),
    )
    record = rules.next_version(record, current).model_copy(update={"claim_ref": submission.ref()})
    try:
        deps.repo.save_pool_pick(
            record,
            expected_version=current.version,
            picker_id=principal.id,
            day=today,
            daily_limit=deps.policy.pool_daily_pick_limit,
        )
    except StaleRecord:
        now = deps.repo.get(prospect_id, consistent=True)
        if now and _claimed_by_this_submission(now, principal):
            return rules.view(now, today)  # the same submission, sent twice at once: its twin won
        raise ClaimedByAnotherFirst("someone else claimed this prospect first") from None
    return rules.view(record, today)


def _claimed_by_this_submission(record: ProspectRecord, principal: Principal) -> bool:
    return (
        submission.is_keyed()
        and record.status == ProspectStatus.active
        and record.owner_id == principal.id
        and getattr(record, "claim_ref", None) == submission.ref()
    )


def reassign(deps: ProspectDeps, principal: Principal, prospect_id: str, body: ReassignIn) -> dict:
    current = _in_branch(deps, principal, prospect_id)
    if current.status == ProspectStatus.converted:
        raise ConvertedIsFinal("a converted prospect's attribution is final")
    target = deps.directory.get_staff(body.to_manager_id)
    if (
        not target
        or target["branch_id"] != principal.branch_id
        or target["role"] != Role.client_manager
        or target.get("status") != "active"
    ):
        raise ValidationFailed.field("to_manager_id", "not an active client manager of your branch")
    if current.owner_id == target["staff_id"]:
        raise AlreadyTheOwner("the prospect already belongs to this manager")
    today = clock.today()
    record = rules.assign(
        deps.policy,
        current,
        target["staff_id"],
        target["name"],
        today,
        today + timedelta(days=deps.policy.first_contact_days),
    )
    record = record.model_copy(
        update={"reassigned_by": principal.id, "reassigned_from": current.owner_id, "reassign_reason": body.reason}
    )
    try:
        deps.repo.save(rules.next_version(record, current), expected_version=current.version)
    except StaleRecord:
        raise Conflict("the prospect changed meanwhile; reload and retry") from None
    return rules.view(record, today)


# --- the daily lapse job ------------------------------------------------------------------------
def release_lapsed(deps: ProspectDeps, today: date | None = None) -> dict:
    """Release claims whose protection ended before `today` to the branch pool.

    Reads only the lapse buckets from the day after the watermark to yesterday, so a missed run is
    caught up by the next one; each day's bucket is committed to the watermark.
    """
    today = today or clock.today()
    released = 0

    def read_day(day: date) -> None:
        nonlocal released
        for candidate in deps.repo.lapsing_on(day):
            released += _release_one(deps, candidate.prospect_id, day)

    read = sweep_days(
        LAPSE_JOB, today - timedelta(days=1), read_day, first_run_days=deps.policy.lapse_catch_up_max_days
    )
    start, through = read.start, read.through
    logger.info("lapse run", extra={"from": start.isoformat(), "through": through.isoformat(), "released": released})
    return {"from": start.isoformat(), "through": through.isoformat(), "released": released}


def _release_one(deps: ProspectDeps, prospect_id: str, day: date) -> int:
    for _ in range(_TX_RETRIES):
        current = deps.repo.get(prospect_id, consistent=True)
        # A follow-up since the index was read moved protected_until on: nothing to release.
        if not current or current.status != ProspectStatus.active or current.protected_until != day:
            return 0
        try:
            deps.repo.save(
                rules.next_version(rules.to_pool(current, clock.now()), current), expected_version=current.version
            )
            return 1
        except Conflict:  # StaleRecord, or a concurrent transaction on the item: read it again
            continue
    return 0
