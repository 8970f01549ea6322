"""The penalties area (and its catalogue) bound to DynamoDB."""

from __future__ import annotations

from ..domain.penalty_ports import PENALTIES


def install() -> None:
    PENALTIES.bind(_dynamodb)


def _dynamodb():
    # Imported on first use: a cold start loads only the adapters its request needs.
    from ..storage.penalties_repo import DynamoPenaltyRepository

    return DynamoPenaltyRepository()
