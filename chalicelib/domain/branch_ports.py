"""What the branch routes (domain/branches.py) need from storage: the branch records (`BRANCH#<id>`/`PROFILE`).

`wiring/branches.py` binds `BRANCHES` to `storage/branches_repo.py` (DynamoDB); rule tests override it with
`storage/memory/branches.py`; `tests/contract/test_branch_repository.py` runs one body on both.
"""

from __future__ import annotations

from typing import Protocol

from .outbox_ports import RecordPage
from .ports import Port


class BranchRepository(Protocol):
    def create(self, record: dict) -> None:
        """Write a new branch; `ConditionFailed` (nothing written) when its id exists."""
        ...

    def get(self, branch_id: str) -> dict | None: ...

    def list(self, *, limit: int, start_key: dict | None = None) -> RecordPage:
        """Every branch, open and closed, by branch_id."""
        ...


BRANCHES: Port[BranchRepository] = Port("branches")
