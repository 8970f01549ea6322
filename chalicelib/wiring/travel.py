"""The travel area bound to DynamoDB (and the outbox, for its proposals' escalations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.travel_ports import TRAVEL

if TYPE_CHECKING:
    from ..storage.travel_repo import DynamoTravelRepository


def install() -> None:
    TRAVEL.bind_default(_dynamodb)


def _dynamodb() -> DynamoTravelRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.travel_repo import DynamoTravelRepository

    return DynamoTravelRepository()
