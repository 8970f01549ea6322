"""Problem items bound to DynamoDB (domain/problems_ports.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.problems_ports import PROBLEMS

if TYPE_CHECKING:
    from ..storage.problems_repo import DynamoProblemRepository


def install() -> None:
    PROBLEMS.bind_default(_dynamodb)


def _dynamodb() -> DynamoProblemRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.problems_repo import DynamoProblemRepository

    return DynamoProblemRepository()
