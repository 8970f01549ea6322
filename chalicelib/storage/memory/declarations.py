"""`DeclarationRepository` in memory, with the table's semantics: the closure checked in the declaration's
own write, revisions compared, None attributes not stored, every read a copy."""

from __future__ import annotations

from ...domain.declaration_ports import DeclarationChanged, MonthClosed
from . import _table as t


class MemoryDeclarationRepository:
    def __init__(self) -> None:
        self.declarations: dict[tuple[str, str], dict] = {}  # (manager, month)
        self.closures: dict[tuple[str, str], dict] = {}  # (branch, month)
        self.accounts_by_id: dict[str, dict] = {}
        self.conversions_by_account: dict[str, dict] = {}
        self.staff: dict[str, dict] = {}

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager") -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role}

    def save(self, record: dict, expected_revision: int | None) -> None:
        if (record["branch_id"], record["month"]) in self.closures:
            raise MonthClosed()
        current = self.declarations.get((record["manager_id"], record["month"]))
        if expected_revision is None and current is not None:
            raise DeclarationChanged()
        if expected_revision is not None and (current is None or int(current["revision"]) != expected_revision):
            raise DeclarationChanged()
        self.declarations[(record["manager_id"], record["month"])] = t.stored(record)

    def close(self, record: dict) -> bool:
        key = (record["branch_id"], record["month"])
        if key in self.closures:
            return False
        self.closures[key] = t.stored(record)
        return True

    def closure(self, branch_id: str, month: str) -> dict | None:
        return t.read(self.closures.get((branch_id, month)))

    def get(self, manager_id: str, month: str) -> dict | None:
        return t.read(self.declarations.get((manager_id, month)))

    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        found = [d for (_, m), d in sorted(self.declarations.items()) if m == month and d["branch_id"] == branch_id]
        return [t.read(d) for d in found]

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return {a: t.read(self.accounts_by_id[a]) for a in account_ids if a in self.accounts_by_id}

    def conversions(self, account_ids: list[str]) -> dict[str, dict]:
        return {a: t.read(self.conversions_by_account[a]) for a in account_ids if a in self.conversions_by_account}

    def branch_managers(self, branch_id: str) -> list[dict]:
        found = [s for s in self.staff.values() if s["branch_id"] == branch_id and s["role"] == "client_manager"]
        return [t.read(s) for s in sorted(found, key=lambda s: s["staff_id"])]
