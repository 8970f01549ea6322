"""`ComplaintRepository` in memory, with the table's semantics: conditional writes, the sparse due-hour index
(unresolved and not escalated), list orders by receipt then id (an unowned complaint is in no owner's list),
None attributes not stored, every read a copy; escalations kept one per subject, as the outbox keeps them."""

from __future__ import annotations

from ...domain.complaint_ports import AlreadyEscalated, ComplaintChanged, ComplaintExists, Escalation, Keep, Page
from ...models.complaints import UNRESOLVED
from . import _table as t


class MemoryComplaintRepository:
    def __init__(self) -> None:
        self.complaints: dict[str, dict] = {}
        self.escalations: dict[str, dict] = {}
        self.tasks: dict[str, dict] = {}
        self.accounts: dict[str, dict] = {}
        self.penalties: dict[str, dict] = {}
        self.staff: dict[str, dict] = {}

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager", **kw) -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role, "status": "active", **kw}

    def _escalate(self, escalation: Escalation) -> None:
        self.escalations.setdefault(escalation.subject, t.stored(escalation.payload))

    def create(self, record: dict, escalation: Escalation | None = None) -> None:
        if record["complaint_id"] in self.complaints:
            raise ComplaintExists()
        self.complaints[record["complaint_id"]] = t.stored(record)
        if escalation:
            self._escalate(escalation)

    def get(self, complaint_id: str) -> dict | None:
        return t.read(self.complaints.get(complaint_id))

    def replace(self, record: dict, *, expected_revision: int) -> None:
        current = self.complaints.get(record["complaint_id"])
        if current is None or int(current["revision"]) != expected_revision:
            raise ComplaintChanged()
        self.complaints[record["complaint_id"]] = t.stored(record)

    def _list(self, field: str, value: str, month, limit: int, start_key, keep) -> Page:
        rows = [
            (f"{c['received_at']}#{c['complaint_id']}", c)
            for c in self.complaints.values()
            if c.get(field) == value
            and (month is None or c["received_at"].startswith(month))
            and (keep is None or keep(t.read(c)))
        ]
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.read(i) for i in items], last)

    def list_branch(
        self,
        branch_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page:
        return self._list("branch_id", branch_id, month, limit, start_key, keep)

    def list_owner(
        self,
        owner_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page:
        return self._list("owner_id", owner_id, month, limit, start_key, keep)

    def owner_month(self, owner_id: str, month: str) -> list[dict]:
        found = [
            c for c in self.complaints.values() if c.get("owner_id") == owner_id and c["received_at"].startswith(month)
        ]
        return [t.read(c) for c in sorted(found, key=lambda c: f"{c['received_at']}#{c['complaint_id']}")]

    def due_in_hour(self, hour: str) -> list[dict]:
        due = [
            c
            for c in self.complaints.values()
            if c["status"] in UNRESOLVED and not c.get("escalated") and c["due_at"][:13] == hour
        ]
        return [t.read(c) for c in sorted(due, key=lambda c: c["complaint_id"])]

    def escalate(self, complaint_id: str, at: str, escalation: Escalation) -> None:
        current = self.complaints.get(complaint_id)
        if current is None or "escalated_at" in current or current["status"] not in ("open", "in_progress"):
            raise AlreadyEscalated()
        current.update(escalated=True, escalated_at=at, revision=int(current["revision"]) + 1)
        current["revision"] = t.stored(current["revision"])
        self._escalate(escalation)

    def get_task(self, task_id: str) -> dict | None:
        return t.read(self.tasks.get(task_id))

    def get_account(self, account_id: str) -> dict | None:
        return t.read(self.accounts.get(account_id))

    def get_penalty(self, penalty_id: str) -> dict | None:
        return t.read(self.penalties.get(penalty_id))

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))

    def branch_managers(self, branch_id: str) -> list[dict]:
        found = [s for s in self.staff.values() if s["branch_id"] == branch_id and s["role"] == "client_manager"]
        return [t.read(s) for s in sorted(found, key=lambda s: s["staff_id"])]
