"""The leave area bound to DynamoDB."""

from __future__ import annotations

from ..domain.leave_ports import LEAVE


def install() -> None:
    LEAVE.bind(_dynamodb)


def _dynamodb():
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.leave_repo import DynamoLeaveRepository

    return DynamoLeaveRepository()
