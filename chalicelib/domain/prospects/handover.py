"""Hand-over 交接: a departed manager's prospects go to a named successor or to the branch pool at once.

Issue 19 §8. 004 "未备案的信息谁先备案算谁的" makes a registration the brokerage's, held by a manager;
a departed manager can no longer follow anyone up, so their protected claims would only lapse one by
one into the pool over the next 7-30 days while nobody calls. The departure moves them the same day:
to the successor named on the departure (protection restarting, first contact due as for a pool pick),
or to the branch pool. Converted prospects keep their attribution (000 第十三条). Moving one prospect is
conditional on its version, and a prospect no longer owned by the departed manager is left alone, so a
repeated hand-over (the outbox delivers at least once) moves nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypeGuard

from ... import clock
from ...errors import Conflict, NotFound, Unprocessable, ValidationFailed
from ...models.common import Role
from ...models.prospects import ProspectRecord, ProspectStatus
from . import rules
from .ports import ProspectDeps

if TYPE_CHECKING:
    from ...auth import Principal

_TX_RETRIES = 3


class NotDeparted(Unprocessable):
    """A hand-over moves a departed manager's book; an active manager's prospects are reassigned one by one."""


def _owned_active(deps: ProspectDeps, owner_id: str) -> list[str]:
    """Every active prospect the manager owns (read in full first: moving them changes the owner index)."""
    ids: list[str] = []
    start = None
    while True:
        page = deps.repo.list_owned(owner_id, limit=100, start_key=start)
        ids += [p.prospect_id for p in page.items if p.status == ProspectStatus.active]
        start = page.last_key
        if not start:
            return ids


NOT_A_SUCCESSOR = "not an active client manager of the departing member's branch"


def may_succeed(departed: dict, successor: dict | None) -> TypeGuard[dict]:
    """Only an active client manager of the same branch, other than the departing member, takes over."""
    return (
        successor is not None
        and successor["branch_id"] == departed["branch_id"]
        and successor["role"] == Role.client_manager
        and successor.get("status") == "active"
        and successor["staff_id"] != departed["staff_id"]
    )


def successor_of(deps: ProspectDeps, departed: dict, successor_id: str | None) -> dict | None:
    """The successor's staff record, or None for the pool; a ValueError names what is wrong."""
    if not successor_id:
        return None
    successor = deps.directory.get_staff(successor_id)
    if not may_succeed(departed, successor):
        raise ValueError(NOT_A_SUCCESSOR)
    return successor


def hand_over_by(
    deps: ProspectDeps, principal: Principal, staff_id: str, successor_id: str | None, reason: str
) -> dict:
    """A supervisor (their branch) or an admin hands over what a departure left, or moves it again."""
    departed = deps.directory.get_staff(staff_id)
    if not departed or (principal.role == Role.supervisor and departed["branch_id"] != principal.branch_id):
        raise NotFound(f"staff member {staff_id} not found")
    if departed.get("status") != "departed":
        raise NotDeparted("only a departed manager's prospects are handed over; reassign single ones instead")
    try:
        successor = successor_of(deps, departed, successor_id)
    except ValueError as why:
        raise ValidationFailed.field("successor_id", str(why)) from None
    return hand_over(deps, staff_id, successor, by=principal.id, reason=reason)


def hand_over(deps: ProspectDeps, departed_id: str, successor: dict | None, *, by: str, reason: str) -> dict:
    """Move the departed manager's active prospects; returns how many moved and where."""
    moved = 0
    for prospect_id in _owned_active(deps, departed_id):
        moved += _move_one(deps, prospect_id, departed_id, successor, by, reason)
    return {"staff_id": departed_id, "moved": moved, "to": successor["staff_id"] if successor else "pool"}


def _move_one(
    deps: ProspectDeps, prospect_id: str, departed_id: str, successor: dict | None, by: str, reason: str
) -> int:
    for _ in range(_TX_RETRIES):
        current = deps.repo.get(prospect_id, consistent=True)
        if not current or current.status != ProspectStatus.active or current.owner_id != departed_id:
            return 0  # moved already (a repeated delivery), converted, or reassigned meanwhile
        record = _moved(deps, current, successor)
        record = record.model_copy(
            update={"handed_over_from": departed_id, "handed_over_by": by, "handover_reason": reason}
        )
        try:
            deps.repo.save(rules.next_version(record, current), expected_version=current.version)
            return 1
        except Conflict:  # StaleRecord, or a concurrent transaction on the item: read it again
            continue
    return 0


def _moved(deps: ProspectDeps, current: ProspectRecord, successor: dict | None) -> ProspectRecord:
    if successor is None:
        return rules.to_pool(current, clock.now())
    today = clock.today()
    return rules.assign(
        deps.policy,
        current,
        successor["staff_id"],
        successor.get("name", ""),
        today,
        today + timedelta(days=deps.policy.first_contact_days),
    )
