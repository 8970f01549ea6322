"""Side effects through an outbox: recorded with their cause, delivered at least once, idempotently.

A change that causes a side effect (an escalation flag, a notification, a conversion) adds
`record(kind, subject, payload)` to its own transaction. `deliver_due` (the outbox job, and
best-effort right after the change) runs each due entry's handler; a handler must be idempotent
(deterministic ids, conditional writes) because an entry may be delivered more than once. A failed
delivery stays pending with jittered backoff and its attempt count and error class visible on the entry.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import timedelta

from .. import clock
from ..observability import logger
from .outbox_ports import OUTBOX

_HANDLERS: dict[str, Callable[[dict], None]] = {}
MAX_BACKOFF_SECONDS = 3600


def handler(kind: str):
    def register(fn):
        _HANDLERS[kind] = fn
        return fn

    return register


def entry(kind: str, subject: str, payload: dict) -> dict:
    entry_id = hashlib.sha256(f"{kind}|{subject}".encode()).hexdigest()[:32]
    now = clock.iso(clock.now())
    return {
        "entry_id": entry_id,
        "kind": kind,
        "subject": subject,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "due_at": now,
    }


def record_op(kind: str, subject: str, payload: dict) -> dict:
    """The transaction item for this side effect (add it to the change's transaction)."""
    return OUTBOX().entry_op(entry(kind, subject, payload))


def deliver(entry_record: dict) -> bool:
    _load_handlers()
    fn = _HANDLERS.get(entry_record["kind"])
    now = clock.now()
    try:
        if fn is None:
            raise LookupError(f"no handler for {entry_record['kind']}")
        fn(entry_record["payload"])
    except Exception as err:  # noqa: BLE001 - stays pending; retried with backoff until delivered
        attempts = int(entry_record.get("attempts", 0)) + 1
        delay = min(MAX_BACKOFF_SECONDS, 2 ** min(attempts, 12)) * (0.5 + random.random() / 2)
        logger.warning(
            "outbox delivery failed",
            extra={"entry_id": entry_record["entry_id"], "kind": entry_record["kind"], "error": type(err).__name__},
        )
        try:
            OUTBOX().mark_retry(
                entry_record["entry_id"], clock.iso(now + timedelta(seconds=delay)), type(err).__name__, clock.iso(now)
            )
        except Exception:  # noqa: BLE001 - still pending in its old slot (or delivered meanwhile): the next sweep decides
            pass
        return False
    try:
        OUTBOX().mark_delivered(entry_record["entry_id"], clock.iso(now))
    except Exception:  # noqa: BLE001 - delivered but still pending: re-delivered, and the handler is idempotent
        return True
    return True


def deliver_now(kind: str, subject: str) -> None:
    """Best effort right after the change committed; the sweep delivers whatever this misses."""
    e = entry(kind, subject, {})
    try:
        stored = OUTBOX().get(e["entry_id"])
        if stored and stored.get("status") == "pending":
            deliver(stored)
    except Exception:  # noqa: BLE001 - the entry is recorded; the sweep delivers it
        logger.warning("outbox immediate delivery deferred", extra={"entry_id": e["entry_id"]})


def deliver_due(limit_per_shard: int = 100, time_left: Callable[[], float] | None = None) -> dict:
    """One sweep over every shard's due entries, stopping cleanly when the time budget runs low."""
    until = clock.iso(clock.now())
    delivered = failed = 0
    for shard_no in range(OUTBOX().shards):
        for record in OUTBOX().due(shard_no, until, limit_per_shard):
            if time_left is not None and time_left() < 5:
                return {"delivered": delivered, "failed": failed, "partial": True}
            if deliver(record):
                delivered += 1
            else:
                failed += 1
    return {"delivered": delivered, "failed": failed, "partial": False}


# --- the operator view: entries with their delivery state, never their payload ---------------------------
LIST_STATUSES = ("pending", "failing", "delivered")


def list_entries(
    status: str, *, kind: str | None = None, month: str | None = None, limit: int = 20, start_key: dict | None = None
):
    """`pending` (and `failing`: pending with at least one failed attempt) soonest due first, over
    every shard; `delivered`: the entries delivered in `month` (default: this month), newest first."""
    from ..errors import ValidationFailed

    if status == "delivered":
        return OUTBOX().list_delivered(
            month or clock.today().isoformat()[:7], kind=kind, limit=limit, start_key=start_key
        )
    if month:
        raise ValidationFailed.field("query.month", "applies to status=delivered only (pending entries have no month)")
    cursors = start_key.get("shards") if start_key else None
    if start_key and (not isinstance(cursors, list) or len(cursors) != OUTBOX().shards):
        raise ValidationFailed.field("next_token", "page token of another outbox layout: start again")
    return OUTBOX().list_pending(kind=kind, failing=status == "failing", limit=limit, cursors=cursors)


def view(entry_id: str) -> dict:
    from ..errors import NotFound

    found = OUTBOX().get(entry_id)
    if not found:
        raise NotFound(f"outbox entry {entry_id} not found")
    return found


def deliver_entry(entry_id: str) -> dict:
    """An operator delivers one pending entry now, whatever its due time; a delivered one is left alone."""
    found = view(entry_id)
    if found.get("status") == "pending":
        deliver(found)
    return view(entry_id)


def _load_handlers() -> None:
    if not _HANDLERS:
        from . import outbox_handlers  # noqa: F401 - registers the handlers
