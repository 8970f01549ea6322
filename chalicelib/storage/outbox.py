"""Outbox entries: a side effect written in the same transaction as its cause, delivered later.

An entry has a deterministic id (kind + subject), so recording it twice is one entry. While pending it
sits in a sparse gsi3 bucket by shard and due time; delivery removes it from the bucket and keeps
the entry, with its attempts and delivery time, as the visible record of what was delivered.
"""
from __future__ import annotations

from . import base, keys


def entry_op(entry: dict) -> dict:
    """A transaction item recording the entry once (a replayed cause records nothing new)."""
    item = {**keys.outbox_entry(entry["entry_id"]), **keys.outbox_pending_index(entry["entry_id"], entry["due_at"]),
            **entry}
    return base.tx_put(item, condition="attribute_not_exists(pk)")


def get(entry_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.outbox_entry(entry_id), consistent=True))


def due(shard_no: int, until: str, limit: int = 100) -> list[dict]:
    page = base.query(f"OUTBOXPENDING#{shard_no}", index="gsi3", sk_lte=f"{until}#~", limit=limit)
    return [base.strip_keys(i) for i in page.items]


def mark_delivered(entry_id: str, at: str) -> None:
    k = keys.outbox_entry(entry_id)
    base.update(k["pk"], k["sk"], "SET #s = :d, delivered_at = :at, attempts = if_not_exists(attempts, :z) + :one "
                                  "REMOVE gsi3pk, gsi3sk", names={"#s": "status"},
                values={":d": "delivered", ":at": at, ":z": 0, ":one": 1}, return_values="NONE")


def mark_retry(entry_id: str, due_at: str, error: str, at: str) -> None:
    """Still pending: due again at `due_at`, with the failure's class (never its text: it may carry client data)."""
    k = keys.outbox_entry(entry_id)
    index = keys.outbox_pending_index(entry_id, due_at)
    base.update(k["pk"], k["sk"], "SET gsi3sk = :due, due_at = :dueat, last_error = :e, last_attempt_at = :at, "
                                  "attempts = if_not_exists(attempts, :z) + :one",
                values={":due": index["gsi3sk"], ":dueat": due_at, ":e": error, ":at": at, ":z": 0, ":one": 1},
                condition="attribute_exists(gsi3pk)", return_values="NONE")
