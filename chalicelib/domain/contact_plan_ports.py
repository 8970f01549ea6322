"""What the contact-plan rules (domain/contact_plan.py) need from the outside world, and the named outcome.

`wiring/contact_plan.py` binds `CONTACT_PLAN` to `storage/contact_plan_repo.py` (DynamoDB); rule tests
override it with `storage/memory/contact_plan.py`; `tests/contract/test_contact_plan_repository.py` runs
one body on both. The contacts themselves are written with their visit log (`visit_ports.Contact`).
"""

from __future__ import annotations

from typing import Protocol

from ..errors import ConditionFailed
from .ports import Port


class AccountMoved(ConditionFailed):
    """The account's version moved on since it was read (the core system's feed wrote it): nothing written."""

    def __init__(self) -> None:
        super().__init__("the account changed meanwhile")


class ContactPlanRepository(Protocol):
    def manager_accounts(self, manager_id: str) -> list[dict]:
        """Every account the manager serves."""

    def contacts_of(self, manager_id: str, account_ids: list[str]) -> dict[str, dict]:
        """The manager's contact items of these accounts (`contact_weeks`, `visit_months`), by account id."""

    def get_account(self, account_id: str) -> dict | None:
        """Consistent: a class change reads the version it writes on."""

    def set_value_class(self, account: dict, change: dict) -> None:
        """The class on the account, on the version read, with the change kept as its own item. Raises
        AccountMoved."""

    def get_staff(self, staff_id: str) -> dict | None: ...


CONTACT_PLAN: Port[ContactPlanRepository] = Port("contact_plan")
