"""The counter checks bound to DynamoDB (storage/counters.py and the agents' load items)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.reconcile_ports import COUNTER_RECORDS

if TYPE_CHECKING:
    from ..storage.reconcile_repo import DynamoCounterRecords


def install() -> None:
    COUNTER_RECORDS.bind_default(_records)


def _records() -> DynamoCounterRecords:
    from ..storage.reconcile_repo import DynamoCounterRecords

    return DynamoCounterRecords()
