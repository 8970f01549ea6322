"""The DynamoDB implementation of `domain.declaration_ports.DeclarationRepository` (over storage/declarations.py)."""

from __future__ import annotations

from ..domain.declaration_ports import DeclarationChanged, MonthClosed
from ..errors import ConditionFailed
from . import declarations as store
from . import directory


class DynamoDeclarationRepository:
    def save(self, record: dict, expected_revision: int | None) -> None:
        try:
            store.save(record, expected_revision)
        except store.MonthClosed:
            raise MonthClosed() from None
        except ConditionFailed:
            raise DeclarationChanged() from None

    def close(self, record: dict) -> bool:
        return store.close(record)

    def closure(self, branch_id: str, month: str) -> dict | None:
        return store.closure(branch_id, month)

    def get(self, manager_id: str, month: str) -> dict | None:
        return store.get(manager_id, month)

    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        return store.branch_month(branch_id, month)

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return store.accounts(account_ids)

    def conversions(self, account_ids: list[str]) -> dict[str, dict]:
        return store.conversions(account_ids)

    def branch_managers(self, branch_id: str) -> list[dict]:
        return directory.all_branch_staff(branch_id, "client_manager")
