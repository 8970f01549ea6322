"""Staff and outlet directory rules: admins edit, supervisors see their branch."""
from __future__ import annotations

from .. import clock
from ..auth import Principal, clear_principal_cache
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models.directory import OutletIn, OutletPatch, StaffIn, StaffPatch
from ..storage import directory as repo
from ..errors import ConditionFailed


def create_staff(body: StaffIn) -> dict:
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
    record = {**body.model_dump(), "status": "active", "created_at": clock.iso(clock.now())}
    try:
        repo.put_outlet(record, new=True)
    except ConditionFailed:
        raise Conflict(f"outlet {body.outlet_id} already exists") from None
    return record


def update_outlet(outlet_id: str, patch: OutletPatch, by: str) -> dict:
    current = repo.read_outlet(outlet_id)  # not the cached copy: the whole item is written back
    if not current:
        raise NotFound(f"outlet {outlet_id} not found")
    record = {**current, **patch.model_dump(exclude_unset=True), "updated_at": clock.iso(clock.now())}
    record = {k: v for k, v in record.items() if v is not None}
    if record.get("status") == "closed" and current.get("status", "active") != "closed":
        from . import outlet_keys

        outlet_keys.close_outlet(record, by)  # its API keys stop in the same transaction
    else:
        repo.put_outlet(record, new=False)
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
