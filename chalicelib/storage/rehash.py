"""Re-hashing the stored lookup items under the writer hash key (`python -m schedules keys rehash hash-key`).

During a hash-key rotation the secret holds two keys (docs/operations.md, Rotate secrets): new claims are
written under both and lookups try both, but a prospect registered before the rotation is claimed under the
old key only. Before the old key is retired, every prospect's phone and ID number are claimed under the
writer key as well: this module reads the prospects through the indexes that hold them (each staff
member's owned prospects, each branch's pool, each outlet's referrals; no Scan), unseals the number,
writes the claim under the writer key and marks the prospect with the key's id (`hash_key_id`).

Resumable: a progress item per writer key lists the partitions finished; a rerun skips them, and inside a
partition skips prospects already marked. Idempotent: a claim is written only where none exists or the
same prospect holds it. A claim under the writer key held by another prospect (two prospects of one number,
which the claims prevent) is counted as a conflict and left to the operator.

Accounts keep the hash of their opening key: nothing looks an account up by it (the contact comparison
falls back to the sealed phone, domain/accounts/events.py _same_phone) and conversions carry the hashes of every key.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .. import clock
from . import base, keys, pii
from .prospects import claim_key


def progress(writer_id: str | None = None) -> dict:
    """The rehash progress of the writer key (default: the current writer): partitions done, counts, completed."""
    writer_id = writer_id or pii.key_id(pii.hash_keys()[0])
    item = base.get_item(**keys.rehash_progress(writer_id), consistent=True) or {}
    return {
        "writer_key_id": writer_id,
        "completed": bool(item.get("completed")),
        "partitions_done": sorted(item.get("done") or []),
        **{k: int(item.get(k, 0)) for k in ("rehashed", "skipped", "conflicts")},
    }


def partitions() -> list[tuple[str, str]]:
    """(index, partition) of every index partition holding prospects: owners, branch pools, outlet referrals."""

    def ids(pk: str, field: str) -> list[str]:
        return sorted(i[field] for i in base.query_all(pk, index="gsi2") if i.get(field))

    out = [("gsi1", f"OWNER#{s}#PROSPECTS") for s in ids("STAFF", "staff_id")]
    out += [("gsi2", f"BRANCH#{b}#POOL") for b in ids("BRANCHES", "branch_id")]
    out += [("gsi4", f"OUTLET#{o}#REFERRALS") for o in ids("OUTLETS", "outlet_id")]
    return out


def _rehash_prospect(item: dict, writer: str, writer_id: str) -> str:
    if item.get("hash_key_id") == writer_id:
        return "skipped"
    numbers = [(pii.PHONE, "phone_hash", pii.unseal(item["phone_sealed"]))]
    if item.get("id_sealed"):
        numbers.append((pii.ID_NUMBER, "id_hash", pii.unseal(item["id_sealed"])))
    hashed = [(kind, field, pii.hash_with(writer, kind, value)) for kind, field, value in numbers]
    pid = item["prospect_id"]
    ops = [
        base.tx_put(
            {
                **claim_key(kind, h),
                "kind": kind,
                "prospect_id": pid,
                "branch_id": item.get("branch_id"),
                "claimed_at": item.get("created_at"),
                "rehashed_at": clock.iso(clock.now()),
            },
            condition="attribute_not_exists(pk) OR prospect_id = :pid",
            values={":pid": pid},
        )
        for kind, _, h in hashed
    ]
    names = {f"#f{i}": field for i, (_, field, _) in enumerate(hashed)}
    values = {f":h{i}": h for i, (_, _, h) in enumerate(hashed)}
    sets = [f"#f{i} = :h{i}" for i in range(len(hashed))]
    prospect = keys.prospect(pid)
    ops.append(
        base.tx_update(
            prospect["pk"],
            prospect["sk"],
            "SET " + ", ".join(sets) + ", hash_key_id = :k",
            names=names,
            values={**values, ":k": writer_id},
            condition="attribute_exists(pk)",
        )
    )
    try:
        base.transact(ops)
    except base.TransactionCancelled as err:
        if any(err.failed(i) for i in range(len(hashed))):
            return "conflict"
        return "skipped"  # the prospect is gone: nothing to claim
    return "rehashed"


def rehash(
    writer: str, *, max_seconds: float | None = None, on_partition: Callable[[str, dict], None] | None = None
) -> dict:
    """Claim every prospect's numbers under the `writer` key (the secret's first line, read fresh by the
    operator command). Returns the progress; `completed` once every partition is done (then the old key
    may be retired). Stops cleanly after `max_seconds` (a rerun resumes)."""
    writer_id = pii.key_id(writer)
    key = keys.rehash_progress(writer_id)
    done = set(progress(writer_id)["partitions_done"])
    started, finished_now = time.monotonic(), 0
    for index, partition in partitions():
        if partition in done:
            continue
        if finished_now and max_seconds is not None and time.monotonic() - started > max_seconds:
            return {**progress(writer_id), "stopped": "max_seconds"}  # at least one partition a run
        counts = {"rehashed": 0, "skipped": 0, "conflicts": 0}
        for item in base.query_all(partition, index=index):
            outcome = _rehash_prospect(item, writer, writer_id)
            counts["conflicts" if outcome == "conflict" else outcome] += 1
        base.update(
            key["pk"],
            key["sk"],
            "ADD done :p, rehashed :r, skipped :s, conflicts :c SET updated_at = :at",
            values={
                ":p": {partition},
                ":r": counts["rehashed"],
                ":s": counts["skipped"],
                ":c": counts["conflicts"],
                ":at": clock.iso(clock.now()),
            },
            return_values="NONE",
        )
        finished_now += 1
        if on_partition:
            on_partition(partition, counts)
    base.update(
        key["pk"],
        key["sk"],
        "SET completed = :t, completed_at = :at",
        values={":t": True, ":at": clock.iso(clock.now())},
        return_values="NONE",
    )
    return progress(writer_id)
