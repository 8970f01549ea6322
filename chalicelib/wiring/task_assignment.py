"""Task reassignment bound to DynamoDB (domain/task_assignment_ports.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.task_assignment_ports import TASK_ASSIGNMENT

if TYPE_CHECKING:
    from ..storage.task_assignment_repo import DynamoTaskAssignmentRepository


def install() -> None:
    TASK_ASSIGNMENT.bind_default(_dynamodb)


def _dynamodb() -> DynamoTaskAssignmentRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.task_assignment_repo import DynamoTaskAssignmentRepository

    return DynamoTaskAssignmentRepository()
