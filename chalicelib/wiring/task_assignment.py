"""Task reassignment bound to DynamoDB (bound when its ports module is first imported: no cold-start cost)."""

from __future__ import annotations

from ..port_hooks import bind_when_imported


def _dynamo():
    from ..storage.task_assignment_repo import DynamoTaskAssignmentRepository

    return DynamoTaskAssignmentRepository()


def install() -> None:
    bind_when_imported("chalicelib.domain.task_assignment_ports", "TASK_ASSIGNMENT", _dynamo)
