"""The complaints area bound to DynamoDB (and the outbox, for its escalations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.complaint_ports import COMPLAINTS

if TYPE_CHECKING:
    from ..storage.complaints_repo import DynamoComplaintRepository


def install() -> None:
    COMPLAINTS.bind_default(_dynamodb)


def _dynamodb() -> DynamoComplaintRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.complaints_repo import DynamoComplaintRepository

    return DynamoComplaintRepository()
