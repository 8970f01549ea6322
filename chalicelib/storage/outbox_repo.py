"""The outbox port (domain/outbox_ports.py) on DynamoDB: storage/outbox.py."""

from __future__ import annotations

from ..domain.outbox_ports import OutboxEntryNotPending
from ..errors import ConditionFailed
from . import base, keys, outbox


class DynamoOutboxRepository:
    shards = keys.OUTBOX_SHARDS

    def entry_op(self, entry: dict) -> dict:
        return outbox.entry_op(entry)

    def get(self, entry_id: str) -> dict | None:
        return outbox.get(entry_id)

    def due(self, shard_no: int, until: str, limit: int = 100) -> list[dict]:
        return outbox.due(shard_no, until, limit)

    def mark_delivered(self, entry_id: str, at: str) -> None:
        outbox.mark_delivered(entry_id, at)

    def mark_retry(self, entry_id: str, due_at: str, error: str, at: str) -> None:
        try:
            outbox.mark_retry(entry_id, due_at, error, at)
        except ConditionFailed:
            raise OutboxEntryNotPending(entry_id) from None

    def list_delivered(self, month: str, *, kind: str | None, limit: int, start_key: dict | None = None) -> base.Page:
        return outbox.list_delivered(month, kind=kind, limit=limit, start_key=start_key)

    def list_pending(self, *, kind: str | None, failing: bool, limit: int, cursors: list | None = None) -> base.Page:
        return outbox.list_pending(kind=kind, failing=failing, limit=limit, cursors=cursors)
