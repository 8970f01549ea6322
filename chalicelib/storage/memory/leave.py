"""`LeaveRepository` in memory, with the table's semantics: conditional writes, the index order of
storage/keys.py (first day, then id; lists latest first), None attributes not stored, every read a copy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.leave_ports import LeaveChanged, LeaveExists, Page
from . import _table as t

if TYPE_CHECKING:
    from ...models.leave import LeaveStatus


class MemoryLeaveRepository:
    def __init__(self) -> None:
        self.leave: dict[str, dict] = {}
        self.staff: dict[str, dict] = {}

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager") -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role}

    def get(self, leave_id: str) -> dict | None:
        return t.read(self.leave.get(leave_id))

    def create(self, record: dict) -> None:
        if record["leave_id"] in self.leave:
            raise LeaveExists()
        self.leave[record["leave_id"]] = t.stored(record)

    def replace(self, record: dict, *, expected_revision: int, expected_status: LeaveStatus) -> None:
        current = self.leave.get(record["leave_id"])
        status = getattr(expected_status, "value", expected_status)
        if current is None or int(current["revision"]) != expected_revision or current["status"] != status:
            raise LeaveChanged()
        self.leave[record["leave_id"]] = t.stored(record)

    def _list(self, field: str, value: str, month: str | None, limit: int, start_key, status) -> Page:
        wanted = getattr(status, "value", status)
        rows = [
            (f"{r['start_date']}#{r['leave_id']}", r)
            for r in self.leave.values()
            if r[field] == value
            and (month is None or r["start_date"].startswith(month))
            and (wanted is None or r["status"] == wanted)
        ]
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.read(i) for i in items], last)

    def list_manager(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page:
        return self._list("manager_id", manager_id, month, limit, start_key, status)

    def list_branch(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page:
        return self._list("branch_id", branch_id, month, limit, start_key, status)

    def starting_between(self, manager_id: str, first: str, last: str) -> list[dict]:
        rows = [r for r in self.leave.values() if r["manager_id"] == manager_id and first <= r["start_date"] <= last]
        return [t.read(r) for r in sorted(rows, key=lambda r: f"{r['start_date']}#{r['leave_id']}")]

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))
