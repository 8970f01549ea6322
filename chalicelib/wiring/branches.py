"""The branch port bound to DynamoDB (the adapter module loads on first use: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..storage.branches_repo import DynamoBranchRepository


def _build() -> DynamoBranchRepository:
    from ..storage.branches_repo import DynamoBranchRepository

    return DynamoBranchRepository()


def install() -> None:
    from ..domain.branch_ports import BRANCHES

    BRANCHES.bind_default(_build)
