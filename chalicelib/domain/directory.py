"""Staff and outlet directory rules: admins edit, supervisors see their branch."""

from __future__ import annotations

from .. import clock
from ..auth import Principal, clear_principal_cache
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models.directory import OutletIn, OutletPatch, StaffIn, StaffPatch
from . import outbox, privilege
from .directory_ports import (
    DIRECTORY,
    BranchAlreadyClosed,
    BranchExists,
    Escalation,
    OutletExists,
    StaffChanged,
    StaffExists,
    StaffWrite,
)
from .outbox_handlers import STAFF_HANDOVER
from .ports import Page


def create_staff(actor: Principal, body: StaffIn) -> dict:
    record = _new_staff(body.model_dump())
    privilege.require_direct(actor, body.staff_id, None, record)
    _write(StaffWrite(record, change=privilege.change_record(actor.id, body.staff_id, None, record)))
    return record


def update_staff(actor: Principal, staff_id: str, patch: StaffPatch) -> dict:
    current = get_staff_record(staff_id)
    changes = _changes(current, patch.model_dump(exclude_unset=True))
    after = {**current, **changes}
    privilege.require_direct(actor, staff_id, current, after)
    change = privilege.change_record(actor.id, staff_id, current, after)
    handover = _handover_entry(actor, current, after)
    _write(StaffWrite(after, current=current, changes=changes, change=change), handover=handover)
    clear_principal_cache()
    if handover:
        # "at once", after the cache is cleared (the hand-over reads the departed member); the outbox sweep
        # retries what fails
        outbox.deliver_now(STAFF_HANDOVER, handover.subject)
    return {k: v for k, v in after.items() if v is not None}


def _handover_entry(actor: Principal, current: dict, after: dict) -> Escalation | None:
    """A departure hands the manager's prospects over (issue 19 §8), written with the departure itself."""
    if after.get("status") != "departed" or current.get("status") == "departed":
        if after.get("successor_id") and after.get("successor_id") != current.get("successor_id"):
            raise ValidationFailed.field("successor_id", "is given with a departure only")
        return None
    # Imported here: only a departure needs the prospects area, and every request reads a staff record
    # through this module (GET /v1/me loaded the prospect models for nothing: ~25 ms of a cold start).
    from .prospects import handover

    successor_id = after.get("successor_id")
    if successor_id and not handover.may_succeed(after, DIRECTORY().get_staff(successor_id)):
        raise ValidationFailed.field("successor_id", handover.NOT_A_SUCCESSOR)
    subject = f"{after['staff_id']}#{after['updated_at']}"
    return Escalation(
        subject,
        {
            "staff_id": after["staff_id"],
            "successor_id": successor_id,
            "by": actor.id,
            "reason": f"departure on {after.get('departed_on')}",
        },
    )


def approved_write(actor_id: str, staff_id: str, change: dict, *, request_id: str, approved_by: str) -> StaffWrite:
    """An approved privilege request's write (domain/privilege.py decides; this builds it)."""
    current = DIRECTORY().get_staff(staff_id)
    if current is None:
        record = _new_staff({"staff_id": staff_id, "outlet_ids": [], **change})
        return StaffWrite(
            record,
            change=privilege.change_record(
                actor_id, staff_id, None, record, request_id=request_id, approved_by=approved_by
            ),
        )
    changes = _changes(current, StaffPatch.model_validate(change).model_dump(exclude_unset=True))
    after = {**current, **changes}
    recorded = privilege.change_record(
        actor_id, staff_id, current, after, request_id=request_id, approved_by=approved_by
    )
    return StaffWrite(after, current=current, changes=changes, change=recorded)


def check_branch(branch_id: str, field: str) -> None:
    """Staff and outlets belong to a branch that exists and is open (`python -m schedules branch`)."""
    branch = DIRECTORY().get_branch(branch_id)
    if branch is None:
        raise ValidationFailed.field(field, f"unknown branch {branch_id}")
    if branch.get("status") == "closed":
        raise ValidationFailed.field(field, f"branch {branch_id} is closed")


def _new_staff(fields: dict) -> dict:
    check_branch(fields["branch_id"], "branch_id")
    _outlets_exist(fields.get("outlet_ids") or [], fields["branch_id"])
    return {**fields, "status": fields.get("status", "active"), "created_at": clock.iso(clock.now())}


def _changes(current: dict, changes: dict) -> dict:
    if changes.get("outlet_ids"):
        _outlets_exist(changes["outlet_ids"], changes.get("branch_id") or current["branch_id"])
    if changes.get("branch_id") and changes["branch_id"] != current.get("branch_id"):
        check_branch(changes["branch_id"], "branch_id")
    if changes.get("status") == "active":
        changes["departed_on"] = None
    # Departing a member keeps every record they own; it only ends their access.
    return {**changes, "updated_at": clock.iso(clock.now())}


def _write(write: StaffWrite, handover: Escalation | None = None) -> None:
    try:
        DIRECTORY().write_staff(write, handover=handover)
    except StaffExists:
        raise Conflict(f"staff {write.after['staff_id']} already exists") from None
    except StaffChanged:
        raise Conflict("the member changed meanwhile; reload and retry") from None


def get_staff_record(staff_id: str) -> dict:
    record = DIRECTORY().get_staff(staff_id)
    if not record:
        raise NotFound(f"staff {staff_id} not found")
    return record


def read_staff(principal: Principal, staff_id: str) -> dict:
    record = get_staff_record(staff_id)
    if principal.role == "admin" or principal.id == staff_id:
        return record
    if principal.role == "supervisor" and record["branch_id"] == principal.branch_id:
        return record
    raise NotFound(f"staff {staff_id} not found")


def list_staff(principal: Principal, branch_id: str | None, role: str | None, limit: int, start_key) -> Page:
    if principal.role == "supervisor":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors list their own branch only")
        branch_id = principal.branch_id
    if branch_id:
        return DIRECTORY().list_branch_staff(branch_id, role, limit=limit, start_key=start_key)
    if role:
        raise ValidationFailed.field("query.role", "filtering by role needs branch_id")
    return DIRECTORY().list_all_staff(limit=limit, start_key=start_key)


def create_outlet(body: OutletIn) -> dict:
    check_branch(body.branch_id, "branch_id")
    record = {**body.model_dump(), "status": "active", "created_at": clock.iso(clock.now())}
    try:
        DIRECTORY().put_outlet(record, new=True)
    except OutletExists:
        raise Conflict(f"outlet {body.outlet_id} already exists") from None
    return record


def update_outlet(outlet_id: str, patch: OutletPatch, by: str) -> dict:
    current = DIRECTORY().read_outlet(outlet_id)  # not the cached copy: the whole item is written back
    if not current:
        raise NotFound(f"outlet {outlet_id} not found")
    record = {**current, **patch.model_dump(exclude_unset=True), "updated_at": clock.iso(clock.now())}
    record = {k: v for k, v in record.items() if v is not None}
    if record.get("status") == "closed" and current.get("status", "active") != "closed":
        from . import outlet_keys

        outlet_keys.close_outlet(record, by)  # its API keys stop in the same transaction
    else:
        DIRECTORY().put_outlet(record, new=False)  # OutletMissing (a ConditionFailed) as before: never deleted
    return record


def get_outlet_record(outlet_id: str) -> dict:
    record = DIRECTORY().get_outlet(outlet_id)
    if not record:
        raise NotFound(f"outlet {outlet_id} not found")
    return record


def list_outlets(principal: Principal, branch_id: str | None, limit: int, start_key) -> Page:
    if principal.role != "admin":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("you can list your own branch's outlets only")
        branch_id = principal.branch_id
    return DIRECTORY().list_outlets(branch_id, limit=limit, start_key=start_key)


def _outlets_exist(outlet_ids: list[str], branch_id: str) -> None:
    # A member is stationed at outlets of their own branch; another branch's is as unknown.
    for i, outlet_id in enumerate(outlet_ids):
        outlet = DIRECTORY().get_outlet(outlet_id)
        if not outlet or outlet["branch_id"] != branch_id:
            raise ValidationFailed.field(f"outlet_ids.{i}", f"unknown outlet {outlet_id} in branch {branch_id}")


# --- branches and the first admin (operator commands: python -m schedules branch / admin) ----------
def new_branch(branch_id: str, name: str, *, by: str) -> dict:
    """A branch as it is created, by the operator's command or the admin's API call (domain/branches.py)."""
    return {
        "branch_id": branch_id,
        "name": name,
        "status": "active",
        "created_at": clock.iso(clock.now()),
        "created_by": by,
    }


def create_branch(branch_id: str, name: str, *, by: str) -> dict:
    record = new_branch(branch_id, name, by=by)
    try:
        DIRECTORY().put_new_branch(record)
    except BranchExists:
        raise Conflict(f"branch {branch_id} already exists") from None
    return record


def list_branches() -> list[dict]:
    return [{"status": "active", **b} for b in DIRECTORY().list_branches()]


def close_branch(branch_id: str, *, by: str) -> dict:
    """A closed branch keeps every record; refused while active staff still belong to it."""
    if DIRECTORY().get_branch(branch_id) is None:
        raise NotFound(f"no branch {branch_id}")
    active = [s["staff_id"] for s in DIRECTORY().all_branch_staff(branch_id) if s.get("status", "active") == "active"]
    if active:
        raise Conflict(
            f"branch {branch_id} still has active staff: {', '.join(sorted(active)[:10])}; " "move or depart them first"
        )
    try:
        return DIRECTORY().close_branch(branch_id, clock.iso(clock.now()), by)
    except BranchAlreadyClosed:
        raise Conflict(f"branch {branch_id} is already closed") from None


def bootstrap_admin(staff_id: str, name: str, branch_id: str, *, branch_name: str | None = None) -> dict:
    """The first admin (and their branch): idempotent, so a rerun after a failure is safe.

    Every later staff member, outlet and branch rule is created by an admin through the API.
    """
    result = {"branch": DIRECTORY().get_branch(branch_id), "branch_created": False, "staff_created": False}
    if result["branch"] is None:
        if not branch_name:
            raise ValidationFailed.field("branch_name", f"branch {branch_id} does not exist: give its name")
        result["branch"] = create_branch(branch_id, branch_name, by=f"bootstrap:{staff_id}")
        result["branch_created"] = True
    existing = DIRECTORY().get_staff(staff_id)
    if existing is not None:
        if existing.get("role") != "admin" or existing.get("status", "active") != "active":
            raise Conflict(
                f"staff {staff_id} exists as {existing.get('role')} ({existing.get('status')}), " "not an active admin"
            )
        result["staff"] = existing
        return result
    # No admin exists yet to approve a grant (privilege.py): the operator's act is recorded as the change.
    record = _new_staff(StaffIn(staff_id=staff_id, name=name, role="admin", branch_id=branch_id).model_dump())
    _write(StaffWrite(record, change=privilege.change_record(f"bootstrap:{staff_id}", staff_id, None, record)))
    result["staff"] = record
    result["staff_created"] = True
    return result
