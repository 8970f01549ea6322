"""The outbox's repository: entries recorded in their cause's transaction, swept by shard and due time,
kept with their attempts once delivered (domain/outbox.py holds the delivery rules)."""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import ConditionFailed
from .ports import Port


class OutboxEntryNotPending(ConditionFailed):
    """A retry was scheduled for an entry no longer pending (delivered meanwhile by another sweep)."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(f"outbox entry {entry_id} is no longer pending")
        self.entry_id = entry_id


class RecordPage(Protocol):
    """A page of records and where the next one starts (None: the last page)."""

    @property
    def items(self) -> list[dict]: ...

    @property
    def last_key(self) -> dict | None: ...


class OutboxRepository(Protocol):
    @property
    def shards(self) -> int:
        """How many shards the pending entries are spread over (a page token holds one cursor each)."""
        ...

    def entry_op(self, entry: dict) -> dict:
        """The transaction item recording `entry` once: added to the cause's own transaction (a replayed
        cause cancels that transaction, so nothing is recorded twice)."""
        ...

    def get(self, entry_id: str) -> dict | None: ...

    def due(self, shard_no: int, until: str, limit: int = 100) -> list[dict]:
        """The shard's pending entries due at or before `until`, soonest first."""
        ...

    def mark_delivered(self, entry_id: str, at: str) -> None:
        """Delivered: off the pending sweep, on the month's delivered list; one more attempt counted."""
        ...

    def mark_retry(self, entry_id: str, due_at: str, error: str, at: str) -> None:
        """Still pending, due again at `due_at`, with the failure's class; OutboxEntryNotPending if it was
        delivered meanwhile."""
        ...

    def list_delivered(self, month: str, *, kind: str | None, limit: int, start_key: dict | None = None) -> RecordPage:
        """The month's delivered entries, newest delivery first."""
        ...

    def list_pending(self, *, kind: str | None, failing: bool, limit: int, cursors: list | None = None) -> RecordPage:
        """Pending entries soonest due first over every shard (`failing`: with a failed attempt); the page's
        last_key is {"shards": [one cursor per shard]}."""
        ...


OUTBOX: Port[OutboxRepository] = Port("outbox")


class OutboxDeliveries(Protocol):
    """Where the outbox's handlers (domain/outbox_handlers.py) deliver: each write idempotent (deterministic
    ids), because an entry may be delivered more than once."""

    def penalty(self, penalty_id: str) -> dict | None:
        """The penalty whose escalations an entry raises (a consistent read), or None if it is gone."""
        ...

    def put_penalty_flag(self, flag: dict) -> bool:
        """Raise the flag; False if this flag id was raised already (a repeated delivery)."""
        ...

    def notify_escalation(self, kind: str, record: dict) -> None:
        """Alert the branch manager and head office (SNS; a log record locally)."""
        ...

    def prospect_deps(self) -> Any:
        """The prospects area's dependencies (domain/prospects/ports.ProspectDeps), for a staff hand-over."""
        ...


DELIVERIES: Port[OutboxDeliveries] = Port("outbox deliveries")
