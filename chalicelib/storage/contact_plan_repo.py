"""The DynamoDB implementation of `domain.contact_plan_ports.ContactPlanRepository` (over storage/contact_plan.py)."""

from __future__ import annotations

from ..domain.contact_plan_ports import AccountMoved
from ..errors import ConditionFailed
from . import accounts, directory
from . import contact_plan as store


class DynamoContactPlanRepository:
    def manager_accounts(self, manager_id: str) -> list[dict]:
        return store.manager_accounts(manager_id)

    def contacts_of(self, manager_id: str, account_ids: list[str]) -> dict[str, dict]:
        return store.contacts_of(manager_id, account_ids)

    def get_account(self, account_id: str) -> dict | None:
        return accounts.get_account(account_id, consistent=True)

    def set_value_class(self, account: dict, change: dict) -> None:
        try:
            store.set_value_class(account, change)
        except ConditionFailed:
            raise AccountMoved() from None

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)
