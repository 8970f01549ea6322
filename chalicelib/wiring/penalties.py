"""The penalties area (and its catalogue) bound to DynamoDB."""

from __future__ import annotations

from ..domain.penalty_ports import PENALTIES


def install() -> None:
    from ..storage.penalties_repo import DynamoPenaltyRepository

    PENALTIES.bind(DynamoPenaltyRepository)
