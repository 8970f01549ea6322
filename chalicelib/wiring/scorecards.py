"""Scorecards' read of the prospects area, bound to the prospects area's DynamoDB repository."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.scorecard_ports import PROSPECT_COUNTS

if TYPE_CHECKING:
    from ..storage.prospects_repo import DynamoProspectRepository


def install() -> None:
    PROSPECT_COUNTS.bind_default(_prospect_counts)


def _prospect_counts() -> DynamoProspectRepository:
    # Imported on first use (a scorecard request), with the prospects area's other adapters.
    from .prospects import _adapters

    return _adapters()[0]
