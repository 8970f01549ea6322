"""The leave area bound to DynamoDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.leave_ports import LEAVE

if TYPE_CHECKING:
    from ..storage.leave_repo import DynamoLeaveRepository


def install() -> None:
    LEAVE.bind_default(_dynamodb)


def _dynamodb() -> DynamoLeaveRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.leave_repo import DynamoLeaveRepository

    return DynamoLeaveRepository()
