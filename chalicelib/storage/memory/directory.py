"""`DirectoryRepository`, `PrivilegeRepository`, `OutletKeyRepository` and `GatewayKeys` in memory, with the
table's semantics: a transaction all or nothing (the first item's check named first), an update conditional
on the role, branch and status read before, index orders as storage/keys.py builds them, None attributes not
stored, every read a copy. The privilege and outlet-key fakes write into the directory fake they are given,
as their transactions write the member and the outlet on the one table."""

from __future__ import annotations

from ...domain.directory_ports import (
    BranchAlreadyClosed,
    BranchExists,
    Escalation,
    KeyNotActive,
    KeysChanged,
    KeySlotsFull,
    OutletClosed,
    OutletExists,
    OutletMissing,
    Page,
    RequestDecided,
    SlotCounterOutOfStep,
    StaffChanged,
    StaffExists,
    StaffWrite,
)
from ...errors import ConditionFailed, Unavailable
from . import _table as t

GUARDED = ("role", "branch_id", "status")


def _page(rows: list[tuple[str, dict]], limit: int, start_key, *, newest_first: bool = False) -> Page:
    items, last = t.page(rows, limit, start_key, newest_first=newest_first)
    return Page([t.read(i) for i in items], last)


class MemoryDirectoryRepository:
    def __init__(self) -> None:
        self.staff: dict[str, dict] = {}
        self.outlets: dict[str, dict] = {}
        self.branches: dict[str, dict] = {}
        self.changes: dict[str, dict] = {}  # change_id -> change record
        self.handovers: dict[str, dict] = {}  # outbox subject -> payload

    # --- seeding (what operators and other areas write)
    def add_branch(self, branch_id: str, name: str = "", **fields) -> None:
        self.branches[branch_id] = t.stored({"branch_id": branch_id, "name": name or branch_id, **fields})

    def add_outlet(self, outlet_id: str, branch_id: str, **fields) -> None:
        self.outlets[outlet_id] = t.stored({"outlet_id": outlet_id, "branch_id": branch_id, **fields})

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager", **fields) -> None:
        record = {"staff_id": staff_id, "branch_id": branch_id, "role": role, "status": "active", **fields}
        self.staff[staff_id] = t.stored(record)

    # --- the transaction a member's write is part of (privilege decisions share it)
    def check_staff(self, write: StaffWrite) -> None:
        staff_id = write.after["staff_id"]
        found = self.staff.get(staff_id)
        if write.current is None:
            if found is not None:
                raise StaffExists(staff_id)
        elif found is None or any(found.get(f) != write.current.get(f) for f in GUARDED):
            raise StaffChanged(staff_id)
        if write.change and write.change["change_id"] in self.changes:
            raise ConditionFailed("the change record exists")  # the table cancels the whole transaction

    def apply_staff(self, write: StaffWrite) -> None:
        staff_id = write.after["staff_id"]
        if write.current is None:
            self.staff[staff_id] = t.stored(write.after)
        else:
            item = self.staff[staff_id]
            for field, value in (write.changes or {}).items():
                if value is None:
                    item.pop(field, None)
                else:
                    item[field] = t.stored(value)
        if write.change:
            self.changes[write.change["change_id"]] = t.stored(write.change)

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))

    def write_staff(self, write: StaffWrite, *, handover: Escalation | None = None) -> None:
        self.check_staff(write)
        if handover is not None and handover.subject in self.handovers:
            raise ConditionFailed("the outbox entry exists")
        self.apply_staff(write)
        if handover is not None:
            self.handovers[handover.subject] = t.stored(handover.payload)

    def list_branch_staff(self, branch_id: str, role: str | None, *, limit: int, start_key=None) -> Page:
        rows = [
            (f"{s['role']}#{s['staff_id']}", s)
            for s in self.staff.values()
            if s["branch_id"] == branch_id and (role is None or s["role"] == role)
        ]
        return _page(rows, limit, start_key)

    def all_branch_staff(self, branch_id: str) -> list[dict]:
        page = self.list_branch_staff(branch_id, None, limit=len(self.staff) + 1)
        return page.items

    def list_all_staff(self, *, limit: int, start_key=None) -> Page:
        return _page([(s["staff_id"], s) for s in self.staff.values()], limit, start_key)

    def get_outlet(self, outlet_id: str) -> dict | None:
        return t.read(self.outlets.get(outlet_id))

    def read_outlet(self, outlet_id: str) -> dict | None:
        return t.read(self.outlets.get(outlet_id))

    def put_outlet(self, record: dict, *, new: bool) -> None:
        exists = record["outlet_id"] in self.outlets
        if new and exists:
            raise OutletExists(record["outlet_id"])
        if not new and not exists:
            raise OutletMissing(record["outlet_id"])
        self.outlets[record["outlet_id"]] = t.stored(record)

    def list_outlets(self, branch_id: str | None, *, limit: int, start_key=None) -> Page:
        rows = [(o["outlet_id"], o) for o in self.outlets.values() if branch_id is None or o["branch_id"] == branch_id]
        return _page(rows, limit, start_key)

    def get_branch(self, branch_id: str) -> dict | None:
        return t.read(self.branches.get(branch_id))

    def put_new_branch(self, record: dict) -> None:
        if record["branch_id"] in self.branches:
            raise BranchExists(record["branch_id"])
        self.branches[record["branch_id"]] = t.stored(record)

    def list_branches(self) -> list[dict]:
        return [t.read(b) for _, b in sorted(self.branches.items())]

    def close_branch(self, branch_id: str, at: str, by: str) -> dict:
        found = self.branches.get(branch_id)
        if found is None or found.get("status") == "closed":
            raise BranchAlreadyClosed(branch_id)
        found.update(status="closed", closed_at=at, closed_by=by)
        return t.read(found)


class MemoryPrivilegeRepository:
    def __init__(self, directory: MemoryDirectoryRepository) -> None:
        self.directory = directory
        self.requests: dict[str, dict] = {}

    def put_request(self, record: dict) -> None:
        if record["request_id"] in self.requests:
            raise ConditionFailed("the request exists")
        self.requests[record["request_id"]] = t.stored(record)

    def get_request(self, request_id: str) -> dict | None:
        return t.read(self.requests.get(request_id))

    def list_requests(self, status: str, *, limit: int, start_key=None) -> Page:
        rows = [(f"{r['requested_at']}#{r['request_id']}", r) for r in self.requests.values() if r["status"] == status]
        return _page(rows, limit, start_key)

    def decide(self, record: dict, decision: dict, staff: StaffWrite | None = None) -> None:
        found = self.requests.get(record["request_id"])
        if found is None or found.get("status") != "pending":
            raise RequestDecided(record["request_id"])
        if staff is not None:
            self.directory.check_staff(staff)
            self.directory.apply_staff(staff)
        self.requests[record["request_id"]] = t.stored({**record, **decision})

    def list_changes(self, month: str, *, limit: int, start_key=None) -> Page:
        rows = [(f"{c['at']}#{c['change_id']}", c) for c in self.directory.changes.values() if c["at"][:7] == month]
        return _page(rows, limit, start_key, newest_first=True)


class MemoryOutletKeyRepository:
    def __init__(self, directory: MemoryDirectoryRepository) -> None:
        self.directory = directory
        self.keys: dict[str, dict] = {}
        self.slots: dict[str, int] = {}  # outlet_id -> active keys counted

    def get_key(self, key_id: str) -> dict | None:
        return t.read(self.keys.get(key_id))

    def outlet_keys(self, outlet_id: str) -> list[dict]:
        rows = sorted(
            (f"{k['created_at']}#{k['key_id']}", k) for k in self.keys.values() if k["outlet_id"] == outlet_id
        )
        return [t.read(k) for _, k in rows]

    def issue(self, record: dict, max_active: int) -> None:
        outlet = self.directory.outlets.get(record["outlet_id"])
        if outlet is None or outlet.get("status", "active") != "active":
            raise OutletClosed(record["outlet_id"])
        if self.slots.get(record["outlet_id"], 0) >= max_active:
            raise KeySlotsFull(record["outlet_id"])
        self.keys[record["key_id"]] = t.stored(record)
        self.slots[record["outlet_id"]] = self.slots.get(record["outlet_id"], 0) + 1

    def set_gateway_key_id(self, key_id: str, gateway_key_id: str) -> None:
        self.keys.setdefault(key_id, {"key_id": key_id})["gateway_key_id"] = gateway_key_id

    def _active(self, key_id: str) -> dict:
        found = self.keys.get(key_id)
        if found is None or found.get("status") != "active":
            raise KeyNotActive(key_id)
        return found

    @staticmethod
    def _revoked(key: dict, at: str, by: str) -> None:
        key.update(status="revoked", revoked_at=at, revoked_by=by, updated_at=at)

    def revoke(self, key_id: str, outlet_id: str, at: str, by: str) -> None:
        key = self._active(key_id)
        if outlet_id in self.slots and self.slots[outlet_id] <= 0:
            raise SlotCounterOutOfStep(outlet_id)
        self._revoked(key, at, by)
        self.slots[outlet_id] = self.slots.get(outlet_id, 1) - 1

    def revoke_uncounted(self, key_id: str, at: str, by: str) -> None:
        self._revoked(self._active(key_id), at, by)

    def close_outlet(self, record: dict, key_ids: list[str], at: str, by: str) -> None:
        if record["outlet_id"] not in self.directory.outlets:
            raise OutletMissing(record["outlet_id"])
        try:
            keys = [self._active(key_id) for key_id in key_ids]
        except KeyNotActive:
            raise KeysChanged(record["outlet_id"]) from None
        self.directory.outlets[record["outlet_id"]] = t.stored(record)
        for key in keys:
            self._revoked(key, at, by)
        self.slots[record["outlet_id"]] = 0


class MemoryGatewayKeys:
    """API Gateway's keys: `refuse` makes the next registration fail as the gateway's refusal does."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.refuse = False
        self.keys: dict[str, dict] = {}

    def register(self, *, outlet_id: str, key_id: str, value: str) -> str | None:
        if self.refuse:
            raise Unavailable("API Gateway refused the key; nothing was issued")
        if not self.enabled:
            return None
        self.keys[f"gw-{key_id}"] = {"outlet_id": outlet_id, "key_id": key_id, "value": value}
        return f"gw-{key_id}"

    def remove(self, gateway_key_id: str | None) -> None:
        if gateway_key_id:
            self.keys.pop(gateway_key_id, None)
