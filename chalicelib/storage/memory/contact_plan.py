"""`ContactPlanRepository` in memory, with the table's semantics: the class written on the account's version
with its change kept, contacts as sets (as the ADD of storage/contact_plan.py keeps them), every read a copy.
Give it the visit fake's `contacts` to see the contacts its logs wrote."""

from __future__ import annotations

from ...domain.contact_plan_ports import AccountMoved
from . import _table as t


class MemoryContactPlanRepository:
    def __init__(self, contacts: dict[tuple[str, str], dict[str, set[str]]] | None = None) -> None:
        self.accounts: dict[str, dict] = {}
        self.contacts = contacts if contacts is not None else {}  # (account, manager) -> weeks, months
        self.class_changes: list[dict] = []
        self.staff: dict[str, dict] = {}

    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager") -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role}

    def manager_accounts(self, manager_id: str) -> list[dict]:
        found = [a for a in self.accounts.values() if a.get("serving_manager_id") == manager_id]
        return [t.read(a) for a in sorted(found, key=lambda a: a["account_id"])]

    def contacts_of(self, manager_id: str, account_ids: list[str]) -> dict[str, dict]:
        out = {}
        for a in account_ids:
            entry = self.contacts.get((a, manager_id))
            if entry is not None:
                out[a] = {"account_id": a, "manager_id": manager_id, **t.read(entry)}
        return out

    def get_account(self, account_id: str) -> dict | None:
        return t.read(self.accounts.get(account_id))

    def set_value_class(self, account: dict, change: dict) -> None:
        current = self.accounts.get(account["account_id"])
        if current is None or int(current.get("version", 0)) != int(account.get("version", 0)):
            raise AccountMoved()
        current.update(
            value_class=change["value_class"],
            value_class_source=change["source"],
            value_class_set_by=change["by"],
            value_class_set_at=change["at"],
            version=int(current.get("version", 0)) + 1,
        )
        self.class_changes.append(t.stored({**change, "account_id": account["account_id"]}))

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))
