"""What the declaration rules (domain/declarations.py) need from the outside world, and the named outcomes.

`wiring/declarations.py` binds `DECLARATIONS` to `storage/declarations_repo.py`; rule tests override it
with `storage/memory/declarations.py`; `tests/contract/test_declaration_repository.py` runs on both.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import ConditionFailed
from .ports import Port


class MonthClosed(ConditionFailed):
    """The branch's month was closed for declarations (checked by the declaration's write): nothing written."""

    def __init__(self) -> None:
        super().__init__("the month is closed for declarations")


class DeclarationChanged(ConditionFailed):
    """The manager's declaration of the month moved on since it was read (or appeared): nothing written."""

    def __init__(self) -> None:
        super().__init__("the declaration changed meanwhile")


class DeclarationRepository(Protocol):
    def save(self, record: dict, expected_revision: int | None) -> None:
        """The first declaration of the month (None) or a replacement of the revision read, while the
        branch's month is not closed. Raises MonthClosed (checked first) or DeclarationChanged."""

    def close(self, record: dict) -> bool:
        """Close the branch's month; False if closed already (the first closure stands)."""

    def closure(self, branch_id: str, month: str) -> dict | None: ...
    def get(self, manager_id: str, month: str) -> dict | None: ...
    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        """A branch's declarations of a month (one per manager)."""

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        """The accounts stored of these ids, by id (one batch)."""

    def conversions(self, account_ids: list[str]) -> dict[str, dict]:
        """The prospect conversions recorded for these accounts, by account id."""

    def branch_managers(self, branch_id: str) -> list[dict]:
        """The branch's client managers in the directory."""


DECLARATIONS: Port[DeclarationRepository] = Port("declarations")
