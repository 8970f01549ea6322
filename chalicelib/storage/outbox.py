"""Outbox entries: a side effect written in the same transaction as its cause, delivered later.

An entry has a deterministic id (kind + subject), so recording it twice is one entry. While pending it
sits in a sparse gsi3 bucket by shard and due time; delivery removes it from the bucket and keeps
the entry, with its attempts and delivery time, as the visible record of what was delivered, on gsi1
by month of delivery (the operator view: `list_pending`, `list_delivered`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import base, keys

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import ConditionBase


def entry_op(entry: dict) -> dict:
    """A transaction item recording the entry once (a replayed cause records nothing new)."""
    item = {
        **keys.outbox_entry(entry["entry_id"]),
        **keys.outbox_pending_index(entry["entry_id"], entry["due_at"]),
        **entry,
    }
    return base.tx_put(item, condition="attribute_not_exists(pk)")


def get(entry_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.outbox_entry(entry_id), consistent=True))


def due(shard_no: int, until: str, limit: int = 100) -> list[dict]:
    page = base.query(keys.outbox_pending_shard(shard_no), index="gsi3", sk_lte=f"{until}#~", limit=limit)
    return [base.strip_keys(i) for i in page.items]


def mark_delivered(entry_id: str, at: str) -> None:
    k = keys.outbox_entry(entry_id)
    listed = keys.outbox_delivered_index(entry_id, at)
    base.update(
        k["pk"],
        k["sk"],
        "SET #s = :d, delivered_at = :at, attempts = if_not_exists(attempts, :z) + :one, "
        "gsi1pk = :lpk, gsi1sk = :lsk REMOVE gsi3pk, gsi3sk",
        names={"#s": "status"},
        values={":d": "delivered", ":at": at, ":z": 0, ":one": 1, ":lpk": listed["gsi1pk"], ":lsk": listed["gsi1sk"]},
        return_values="NONE",
    )


def mark_retry(entry_id: str, due_at: str, error: str, at: str) -> None:
    """Still pending: due again at `due_at`, with the failure's class (never its text: it may carry client data)."""
    k = keys.outbox_entry(entry_id)
    index = keys.outbox_pending_index(entry_id, due_at)
    base.update(
        k["pk"],
        k["sk"],
        "SET gsi3sk = :due, due_at = :dueat, last_error = :e, last_attempt_at = :at, "
        "attempts = if_not_exists(attempts, :z) + :one",
        values={":due": index["gsi3sk"], ":dueat": due_at, ":e": error, ":at": at, ":z": 0, ":one": 1},
        condition="attribute_exists(gsi3pk)",
        return_values="NONE",
    )


# --- the operator view (GET /v1/outbox, `python -m schedules outbox list`) ---------------------------
SHARD_DONE = "done"


def _filter(kind: str | None, failing: bool) -> ConditionBase | None:
    from boto3.dynamodb.conditions import Attr

    condition: ConditionBase | None = None
    if kind:
        condition = Attr("kind").eq(kind)
    if failing:
        tried = Attr("attempts").gt(0)
        condition = tried if condition is None else condition & tried
    return condition


def list_delivered(month: str, *, kind: str | None, limit: int, start_key: dict | None = None) -> base.Page:
    """A month's delivered entries, newest delivery first, full pages whatever the kind. Entries delivered
    before this index existed (2026-12-02) are not on it; `get` still reads them by id."""
    return base.query_kept(
        keys.outbox_delivered_month(month),
        lambda e: not kind or e.get("kind") == kind,
        index="gsi1",
        limit=limit,
        start_key=start_key,
        newest_first=True,
    )


def list_pending(*, kind: str | None, failing: bool, limit: int, cursors: list | None = None) -> base.Page:
    """Pending entries, soonest due first, merged over the shards, in full pages (fewer only at the end).

    `cursors` holds one position per shard (None: from its start, SHARD_DONE: read to its end). A round
    returns only entries up to the smallest position a shard stopped at, so no unread entry of another
    shard sorts before what it shows; the next round starts from the new positions, so its entries all
    sort after. The returned `last_key` is the next page's cursors."""
    cursors = list(cursors) if cursors else [None] * keys.OUTBOX_SHARDS
    items: list[dict] = []
    while len(items) < limit and any(c != SHARD_DONE for c in cursors):
        shown, cursors = _pending_round(kind, failing, limit - len(items), cursors)
        items.extend(shown)
    more = any(c != SHARD_DONE for c in cursors)
    return base.Page(items=items, last_key={"shards": cursors} if more else None)


def _pending_round(kind: str | None, failing: bool, limit: int, cursors: list) -> tuple[list[dict], list]:
    condition = _filter(kind, failing)
    reads: list[tuple[list[dict], dict | None]] = []
    for shard_no, cursor in enumerate(cursors):
        if cursor == SHARD_DONE:
            reads.append(([], None))
            continue
        page = base.query(
            keys.outbox_pending_shard(shard_no),
            index="gsi3",
            limit=limit,
            start_key=cursor,
            filter_expression=condition,
        )
        reads.append((page.items, page.last_key))
    stops = [last["gsi3sk"] for _, last in reads if last]
    bound = min(stops) if stops else None
    ready = sorted(
        (item["gsi3sk"], n, item)
        for n, (items, _) in enumerate(reads)
        for item in items
        if bound is None or item["gsi3sk"] <= bound
    )
    shown = ready[:limit]
    following: list[dict | str] = []  # per shard: where to read on from, or SHARD_DONE
    for n, (items, last) in enumerate(reads):
        taken = [item for _, m, item in shown if m == n]
        if cursors[n] == SHARD_DONE:
            following.append(SHARD_DONE)
        elif len(taken) == len(items):
            following.append(last or SHARD_DONE)  # every match it read is shown: on past what it read
        elif taken:
            following.append({a: taken[-1][a] for a in ("pk", "sk", "gsi3pk", "gsi3sk")})
        else:
            following.append(cursors[n])  # nothing of it shown yet: read again next time
    return [base.strip_keys(item) for _, _, item in shown], following
