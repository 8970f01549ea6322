"""Disclosure audit (PIPL): every attempt to see a full phone, ID number or name is recorded.

A granted reveal is written in one transaction with its actor's counter of the day, so the
daily budget cannot be passed by two reveals at once and no reveal is shown unrecorded.
"""

from __future__ import annotations

import uuid

from .. import clock
from ..errors import ConditionFailed
from . import base, keys


class BudgetExhausted(Exception):
    """The actor's reveals of the day already reached the budget."""


def _record(at: str, **fields) -> dict:
    return {"audit_id": uuid.uuid4().hex, "at": at, **fields}


def _item(record: dict) -> dict:
    return {
        **keys.reveal_audit(record["at"], record["audit_id"]),
        **keys.reveal_audit_subject_index(
            record["subject_kind"], record["subject_id"], record["at"], record["audit_id"]
        ),
        **keys.reveal_audit_actor_index(record["actor_id"], record["at"], record["audit_id"]),
        **record,
    }


def record_granted(*, budget: int, **fields) -> dict:
    """Raises BudgetExhausted (nothing written) when the actor already had `budget` reveals today."""
    now = clock.now()
    record = _record(clock.iso(now), outcome="granted", **fields)
    counter = keys.reveal_budget(record["actor_id"], clock.local_date(now))
    try:
        base.transact(
            [
                base.tx_put(_item(record)),
                base.tx_update(
                    counter["pk"],
                    counter["sk"],
                    "ADD granted :one",
                    values={":one": 1, ":budget": budget},
                    condition="attribute_not_exists(granted) OR granted < :budget",
                ),
            ]
        )
    except base.TransactionCancelled as err:
        if err.failed(1):
            raise BudgetExhausted() from None
        raise
    return record


def record_refused(**fields) -> dict:
    record = _record(clock.iso(clock.now()), outcome="refused", **fields)
    base.put_new(_item(record))
    return record


def record_refused_over_budget(alert_op: dict, **fields) -> bool:
    """The refusal, and the day's first one also marks the counter `alerted` and writes `alert_op` (its
    outbox entry) in the same transaction; later refusals that day are audited alone. True if alerted."""
    now = clock.now()
    record = _record(clock.iso(now), outcome="refused", **fields)
    counter = keys.reveal_budget(record["actor_id"], clock.local_date(now))
    try:
        base.transact(
            [
                base.tx_put(_item(record)),
                base.tx_update(
                    counter["pk"],
                    counter["sk"],
                    "SET alerted = :t",
                    values={":t": True},
                    condition="attribute_not_exists(alerted)",
                ),
                alert_op,
            ]
        )
        return True
    except base.TransactionCancelled as err:
        if not (err.failed(1) or err.failed(2)):
            raise
    base.put_new(_item(record))
    return False


def list_reveals(month: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"AUDIT#REVEAL#{month}", limit=limit, start_key=start_key, newest_first=True)


def list_subject_reveals(subject_kind: str, subject_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"SUBJECT#{subject_kind}#{subject_id}#AUDIT", index="gsi1", limit=limit, start_key=start_key, newest_first=True
    )


def _months_down(since: str, until: str) -> list[str]:
    """The months from `until`'s back to `since`'s, newest first ("2026-12", "2026-11", ...)."""
    year, month = int(until[:4]), int(until[5:7])
    out = []
    while f"{year:04d}-{month:02d}" >= since[:7]:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def search_reveals(
    *,
    since: str,
    until: str,
    actor_id: str | None = None,
    subject: tuple[str, str] | None = None,
    limit: int,
    start_key: dict | None = None,
) -> base.Page:
    """Audit records with `since` <= at <= `until` (sort-key bounds), newest first, for one subject
    (gsi1, filtered by actor if one is named too), one actor (gsi2), or everyone (the month partitions,
    read month after month; the page key names the month it stopped in)."""
    bounds = (since, until)
    if subject is not None:
        keep = (lambda r: r["actor_id"] == actor_id) if actor_id else (lambda r: True)
        return base.query_kept(
            f"SUBJECT#{subject[0]}#{subject[1]}#AUDIT",
            keep,
            index="gsi1",
            limit=limit,
            start_key=start_key,
            sk_between=bounds,
            newest_first=True,
        )
    if actor_id is not None:
        return base.query_records(
            f"ACTOR#{actor_id}#AUDIT",
            index="gsi2",
            limit=limit,
            start_key=start_key,
            sk_between=bounds,
            newest_first=True,
        )
    months = _months_down(since, until)
    if start_key:
        months = [m for m in months if m <= start_key["month"]]
    items: list[dict] = []
    key = (start_key or {}).get("key")
    for month in months:
        page = base.query_records(
            f"AUDIT#REVEAL#{month}",
            limit=limit - len(items),
            start_key=key,
            sk_between=bounds,
            newest_first=True,
        )
        items.extend(page.items)
        if len(items) == limit:
            if page.last_key:
                return base.Page(items, {"month": month, "key": page.last_key})
            older = [m for m in months if m < month]
            return base.Page(items, {"month": older[0], "key": None} if older else None)
        key = None
    return base.Page(items, None)


def backfill_actor_index(month: str) -> tuple[int, int]:
    """Give a month's reveal records written before the person index (gsi2) existed their index keys, so a
    search by staff id finds them. Only the two index attributes are added, and only where they are missing
    (the record itself is never rewritten: the audit is append-only); a rerun or a resumed run adds nothing
    twice. Returns (records read, records indexed)."""
    read = indexed = 0
    start = None
    while True:
        page = base.query(f"AUDIT#REVEAL#{month}", limit=500, start_key=start)
        for item in page.items:
            read += 1
            if "gsi2pk" in item or not item.get("actor_id"):
                continue
            index = keys.reveal_audit_actor_index(item["actor_id"], item["at"], item["audit_id"])
            try:
                base.update(
                    item["pk"],
                    item["sk"],
                    "SET gsi2pk = :pk, gsi2sk = :sk",
                    values={":pk": index["gsi2pk"], ":sk": index["gsi2sk"]},
                    condition="attribute_exists(pk) AND attribute_not_exists(gsi2pk)",
                    return_values="NONE",
                )
                indexed += 1
            except ConditionFailed:
                pass  # indexed meanwhile (a concurrent run)
        start = page.last_key
        if not start:
            return read, indexed
