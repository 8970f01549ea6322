"""Staff and outlet directory rules: admins edit, supervisors see their branch."""
from __future__ import annotations

from .. import clock
from ..auth import Principal, clear_principal_cache
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models.directory import OutletIn, OutletPatch, StaffIn, StaffPatch
from ..storage import directory as repo
from ..errors import ConditionFailed


def _branch_open(branch_id: str) -> None:
    """Staff and outlets belong to a branch that exists and is open (`python -m schedules branch`)."""
    branch = repo.get_branch(branch_id)
    if branch is None:
        raise ValidationFailed.field("branch_id", f"unknown branch {branch_id}")
    if branch.get("status") == "closed":
        raise ValidationFailed.field("branch_id", f"branch {branch_id} is closed")


def create_staff(body: StaffIn) -> dict:
    _branch_open(body.branch_id)
    _outlets_exist(body.outlet_ids)
    record = {**body.model_dump(), "status": "active", "created_at": clock.iso(clock.now())}
    try:
        repo.put_staff(record)
    except ConditionFailed:
        raise Conflict(f"staff {body.staff_id} already exists") from None
    return record


def update_staff(staff_id: str, patch: StaffPatch) -> dict:
    current = get_staff_record(staff_id)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("branch_id") and changes["branch_id"] != current.get("branch_id"):
        _branch_open(changes["branch_id"])
    if changes.get("outlet_ids"):
        _outlets_exist(changes["outlet_ids"])
    if changes.get("status") == "active":
        changes["departed_on"] = None
    changes["updated_at"] = clock.iso(clock.now())
    # Departing a member keeps every record they own; it only ends their access.
    record = repo.update_staff(current, changes)
    clear_principal_cache()
    return record


def get_staff_record(staff_id: str) -> dict:
    record = repo.get_staff(staff_id)
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


def list_staff(principal: Principal, branch_id: str | None, role: str | None, limit: int, start_key):
    if principal.role == "supervisor":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors list their own branch only")
        branch_id = principal.branch_id
    if branch_id:
        return repo.list_branch_staff(branch_id, role, limit=limit, start_key=start_key)
    if role:
        raise ValidationFailed.field("query.role", "filtering by role needs branch_id")
    return repo.list_all_staff(limit=limit, start_key=start_key)


def create_outlet(body: OutletIn) -> dict:
    _branch_open(body.branch_id)
    record = {**body.model_dump(), "status": "active", "created_at": clock.iso(clock.now())}
    try:
        repo.put_outlet(record, new=True)
    except ConditionFailed:
        raise Conflict(f"outlet {body.outlet_id} already exists") from None
    return record


def update_outlet(outlet_id: str, patch: OutletPatch) -> dict:
    current = get_outlet_record(outlet_id)
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("branch_id") and changes["branch_id"] != current.get("branch_id"):
        _branch_open(changes["branch_id"])
    record = {**current, **changes, "updated_at": clock.iso(clock.now())}
    repo.put_outlet({k: v for k, v in record.items() if v is not None}, new=False)
    return record


def get_outlet_record(outlet_id: str) -> dict:
    record = repo.get_outlet(outlet_id)
    if not record:
        raise NotFound(f"outlet {outlet_id} not found")
    return record


def list_outlets(principal: Principal, branch_id: str | None, limit: int, start_key):
    if principal.role != "admin":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("you can list your own branch's outlets only")
        branch_id = principal.branch_id
    return repo.list_outlets(branch_id, limit=limit, start_key=start_key)


def _outlets_exist(outlet_ids: list[str]) -> None:
    for i, outlet_id in enumerate(outlet_ids):
        if not repo.get_outlet(outlet_id):
            raise ValidationFailed.field(f"outlet_ids.{i}", f"unknown outlet {outlet_id}")


# --- branches and the first admin (operator commands: python -m schedules branch / admin) ----------
def create_branch(branch_id: str, name: str, *, by: str) -> dict:
    record = {"branch_id": branch_id, "name": name, "status": "active", "created_at": clock.iso(clock.now()),
              "created_by": by}
    try:
        repo.put_new_branch(record)
    except ConditionFailed:
        raise Conflict(f"branch {branch_id} already exists") from None
    return record


def list_branches() -> list[dict]:
    return [{"status": "active", **b} for b in repo.list_branches()]


def close_branch(branch_id: str, *, by: str) -> dict:
    """A closed branch keeps every record; refused while active staff still belong to it."""
    if repo.get_branch(branch_id) is None:
        raise NotFound(f"no branch {branch_id}")
    active = [s["staff_id"] for s in repo.all_branch_staff(branch_id) if s.get("status", "active") == "active"]
    if active:
        raise Conflict(f"branch {branch_id} still has active staff: {', '.join(sorted(active)[:10])}; "
                       "move or depart them first")
    try:
        return repo.close_branch(branch_id, clock.iso(clock.now()), by)
    except ConditionFailed:
        raise Conflict(f"branch {branch_id} is already closed") from None


def bootstrap_admin(staff_id: str, name: str, branch_id: str, *, branch_name: str | None = None) -> dict:
    """The first admin (and their branch): idempotent, so a rerun after a failure is safe.

    Every later staff member, outlet and branch rule is created by an admin through the API.
    """
    result = {"branch": repo.get_branch(branch_id), "branch_created": False, "staff_created": False}
    if result["branch"] is None:
        if not branch_name:
            raise ValidationFailed.field("branch_name", f"branch {branch_id} does not exist: give its name")
        result["branch"] = create_branch(branch_id, branch_name, by=f"bootstrap:{staff_id}")
        result["branch_created"] = True
    existing = repo.get_staff(staff_id)
    if existing is not None:
        if existing.get("role") != "admin" or existing.get("status", "active") != "active":
            raise Conflict(f"staff {staff_id} exists as {existing.get('role')} ({existing.get('status')}), "
                           "not an active admin")
        result["staff"] = existing
        return result
    result["staff"] = create_staff(StaffIn(staff_id=staff_id, name=name, role="admin", branch_id=branch_id))
    result["staff_created"] = True
    return result
