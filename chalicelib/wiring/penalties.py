"""The penalties area (and its catalogue) bound to DynamoDB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.penalty_ports import PENALTIES

if TYPE_CHECKING:
    from ..storage.penalties_repo import DynamoPenaltyRepository


def install() -> None:
    PENALTIES.bind_default(_dynamodb)


def _dynamodb() -> DynamoPenaltyRepository:
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.penalties_repo import DynamoPenaltyRepository

    return DynamoPenaltyRepository()
