"""The outbox's ports bound to DynamoDB: its entries, and where its handlers deliver (the penalties'
flags, the escalation notices, the prospects' hand-over). Adapters load on first use (cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..storage.outbox_repo import DynamoOutboxRepository


def _build() -> DynamoOutboxRepository:
    from ..storage.outbox_repo import DynamoOutboxRepository

    return DynamoOutboxRepository()


class Deliveries:
    def penalty(self, penalty_id: str) -> dict | None:
        from ..storage import penalties

        return penalties.get(penalty_id)

    def put_penalty_flag(self, flag: dict) -> bool:
        from ..storage import penalties

        return penalties.put_flag(flag)

    def notify_escalation(self, kind: str, record: dict) -> None:
        from ..storage import problems

        problems.notify_escalation(kind, record)

    def prospect_deps(self) -> Any:
        from .prospects import deps

        return deps()


def install() -> None:
    from ..domain.outbox_ports import DELIVERIES, OUTBOX

    OUTBOX.bind_default(_build)
    DELIVERIES.bind_default(Deliveries)
