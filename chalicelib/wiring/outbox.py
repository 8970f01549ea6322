"""The outbox's port bound to DynamoDB (the adapter module loads on first use: cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..storage.outbox_repo import DynamoOutboxRepository


def _build() -> DynamoOutboxRepository:
    from ..storage.outbox_repo import DynamoOutboxRepository

    return DynamoOutboxRepository()


def install() -> None:
    from ..domain.outbox_ports import OUTBOX

    OUTBOX.bind(_build)
