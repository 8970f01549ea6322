"""Four eyes on privilege, and the record of every role, branch and status change.

Granting admin or compliance (they read every client's numbers and the disclosure audit), giving
back a departed privileged member their access, and changing one's own role or branch are never
one person's act: an admin asks, a second admin approves, and nobody approves their own request or
their own elevation (PIPL 第五十一条: 合理确定个人信息处理的操作权限). Every change, approved or
direct, is written in the same transaction as a change record (who, when, before, after).
"""

from __future__ import annotations

import uuid

from .. import clock
from ..auth import Principal, clear_principal_cache
from ..errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from .directory_ports import DIRECTORY, PRIVILEGE, RequestDecided, StaffChanged, StaffExists
from .ports import Page

PRIVILEGED_ROLES = {"admin", "compliance"}
TRACKED = ("role", "branch_id", "status")


class ApprovalRequired(Forbidden):
    code = "approval_required"


def why_approval(actor_id: str, staff_id: str, before: dict | None, after: dict) -> str | None:
    """The reason this change needs a second admin, or None."""
    gains = (
        after.get("role") in PRIVILEGED_ROLES
        and after.get("status", "active") == "active"
        and (before is None or before.get("role") != after["role"] or before.get("status") != "active")
    )
    if gains:
        return f"granting {after['role']} needs a second admin's approval"
    if (
        before is not None
        and actor_id == staff_id
        and any(before.get(k) != after.get(k) for k in ("role", "branch_id"))
    ):
        return "a change of your own role or branch needs a second admin's approval"
    return None


def require_direct(actor: Principal, staff_id: str, before: dict | None, after: dict) -> None:
    why = why_approval(actor.id, staff_id, before, after)
    if why:
        raise ApprovalRequired(why + ": POST /v1/privilege-requests", extra={"approval": "POST /v1/privilege-requests"})


def change_record(
    actor_id: str,
    staff_id: str,
    before: dict | None,
    after: dict,
    *,
    request_id: str | None = None,
    approved_by: str | None = None,
) -> dict | None:
    """The change record written with the member (StaffWrite.change), or None when no tracked field moves."""
    old = {k: before.get(k) for k in TRACKED} if before else None
    new = {k: after.get(k) for k in TRACKED}
    if old == new:
        return None
    return {
        "change_id": uuid.uuid4().hex,
        "staff_id": staff_id,
        "at": clock.iso(clock.now()),
        "actor_id": actor_id,
        "approved_by": approved_by,
        "request_id": request_id,
        "before": old,
        "after": new,
    }


# --- requests and decisions ------------------------------------------------------------------
def request(actor: Principal, body) -> dict:
    from . import directory

    current = DIRECTORY().get_staff(body.staff_id)
    change = body.model_dump(exclude_unset=True, exclude={"staff_id", "reason"}, mode="json")
    if not change:
        raise ValidationFailed.field("role", "name at least one change")
    if current is None:
        missing = [f for f in ("name", "branch_id", "role") if not change.get(f)]
        if missing:
            raise ValidationFailed(
                f"a new member needs {', '.join(missing)}",
                details=[{"field": f, "message": "is required for a new member"} for f in missing],
            )
        directory.check_branch(change["branch_id"], "branch_id")
    elif change.get("branch_id"):
        directory.check_branch(change["branch_id"], "branch_id")
    after = {**(current or {"status": "active"}), **change}
    if not why_approval(actor.id, body.staff_id, current, after):
        raise Unprocessable("this change needs no second admin: use POST /v1/staff or PATCH /v1/staff/{id}")
    now = clock.iso(clock.now())
    record = {
        "request_id": uuid.uuid4().hex,
        "staff_id": body.staff_id,
        "requested_by": actor.id,
        "requested_at": now,
        "change": change,
        "reason": body.reason,
        "status": "pending",
    }
    PRIVILEGE().put_request(record)
    return record


def decide(actor: Principal, request_id: str, approve: bool, reason: str) -> dict:
    from . import directory

    record = PRIVILEGE().get_request(request_id)
    if not record:
        raise NotFound(f"privilege request {request_id} not found")
    if record["status"] != "pending":
        raise Conflict(f"the request was already {record['status']}")
    if actor.id == record["requested_by"]:
        raise Forbidden("nobody decides their own request: a second admin must")
    if approve and actor.id == record["staff_id"]:
        raise Forbidden("nobody approves a change of their own privileges")
    decision = {
        "status": "approved" if approve else "rejected",
        "decided_by": actor.id,
        "decided_at": clock.iso(clock.now()),
        "decision_reason": reason,
    }
    staff = None
    if approve:
        staff = directory.approved_write(
            record["requested_by"], record["staff_id"], record["change"], request_id=request_id, approved_by=actor.id
        )
    try:
        PRIVILEGE().decide(record, decision, staff)
    except RequestDecided:
        raise Conflict("the request was decided meanwhile") from None
    except (StaffChanged, StaffExists):
        raise Conflict("the member changed since the request; ask again") from None
    clear_principal_cache()
    return {**record, **decision}


def list_requests(status: str, limit: int, start_key) -> Page:
    return PRIVILEGE().list_requests(status, limit=limit, start_key=start_key)


def list_changes(month: str, limit: int, start_key) -> Page:
    return PRIVILEGE().list_changes(month, limit=limit, start_key=start_key)
