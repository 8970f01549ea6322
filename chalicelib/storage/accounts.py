"""Accounts and the core system's feed.

An account item carries the sparse, date-bucketed selection indexes its state
implies; `account_item` derives them (never set by hand), so closing an account
drops its activity, periodic and manager indexes simply by omission. Every feed
event is one TransactWriteItems: the event record (first write wins, so a
re-delivered event is a duplicate), the account with an optimistic version
check, and a transfer-out record when there is one.
"""
from __future__ import annotations

import hashlib
from datetime import date

from ..config import get_settings
from ..errors import ConditionFailed
from . import base, keys

ACCOUNT_FIELDS_NOT_RETURNED = {"phone_sealed", "id_sealed", "phone_hash", "id_hash"}


def period_days(tier: str | None) -> int | None:
    s = get_settings()
    return {"gold": s.periodic_gold_days, "silver": s.periodic_silver_days,
            "ordinary": s.periodic_ordinary_days}.get(tier or "")


def periodic_phase(account_id: str, days: int) -> int:
    # Salted so the phase is independent of the shard suffix (which hashes the bare id).
    return int(hashlib.sha256(f"periodic:{account_id}".encode()).hexdigest()[:12], 16) % max(days, 1)


def periodic_bucket(day: date, days: int) -> int:
    """Accounts whose phase equals this come up on `day`: once per period, no writes needed."""
    return day.toordinal() % max(days, 1)


def last_activity_on(state: dict) -> str | None:
    dates = [d for d in (state.get("last_trade_on"), state.get("opened_on")) if d]
    return max(dates) if dates else None


def account_item(state: dict) -> dict:
    """The DynamoDB item for an account with the index attributes its state implies."""
    shards = get_settings().selection_shards
    account_id = state["account_id"]
    item = {**keys.account(account_id), **state}
    is_open = state.get("status") == "open"
    if state.get("opened_on"):
        item.update(keys.account_opened_index(state["opened_on"], account_id, shards))
    if state.get("closed_on"):
        item.update(keys.account_closed_index(state["closed_on"], account_id, shards))
    if is_open:
        if state.get("serving_manager_id"):
            item.update(keys.account_manager_index(state["serving_manager_id"], account_id))
        activity = last_activity_on(state)
        if activity:
            item.update(keys.account_activity_index(activity, account_id, shards))
        days = period_days(state.get("tier"))
        if days:
            item.update(keys.account_periodic_index(state["tier"], periodic_phase(account_id, days), account_id,
                                                    shards))
    return item


def transfer_item(record: dict, large: bool) -> dict:
    item = {**keys.transfer_out(record["account_id"], record["at"], record["event_id"]), **record}
    if large:
        item.update(keys.large_outflow_index(record["on"], record["account_id"], record["event_id"],
                                             get_settings().selection_shards))
    return item


def get_account(account_id: str, *, consistent: bool = False) -> dict | None:
    return base.strip_keys(base.get_item(**keys.account(account_id), consistent=consistent))


def get_event(event_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.account_event(event_id), consistent=True))


def write_event(event_record: dict, state: dict, previous_version: int, transfer: tuple[dict, bool] | None,
                extra_ops: list[dict] | None = None) -> str:
    """Store one applied event (with `extra_ops`: its outbox entries).
    Returns "ok", "duplicate" (event id seen) or "conflict" (account moved on)."""
    ops = [base.tx_put({**keys.account_event(event_record["event_id"]), **event_record})]
    if previous_version == 0:
        ops.append(base.tx_put(account_item(state)))
    else:
        ops.append(base.tx_put(account_item(state), condition="#v = :v", names={"#v": "version"},
                               values={":v": previous_version}))
    if transfer is not None:
        ops.append(base.tx_put(transfer_item(*transfer)))
    ops += list(extra_ops or [])
    try:
        base.transact(ops)
    except base.TransactionCancelled as err:
        if err.failed(0):
            return "duplicate"
        if err.failed(1) or "TransactionConflict" in err.reasons:
            return "conflict"
        raise
    except ConditionFailed:  # TransactionConflictException outside a cancellation
        return "conflict"
    return "ok"


def list_manager_accounts(manager_id: str, *, limit=None, start_key=None) -> base.Page:
    return base.query_records(f"MGR#{manager_id}#ACCOUNTS", index="gsi1", limit=limit, start_key=start_key)


def put_import_summary(source: str, summary: dict, *, new: bool) -> None:
    item = {**keys.import_summary(source), **summary}
    if new:
        base.put_new(item)
    else:
        base.put(item)


def get_import_summary(source: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.import_summary(source), consistent=True))


def open_feed_file(bucket: str, key: str):
    """(lines of text, etag) of a core-system CSV file in S3, streamed, BOM removed."""
    import codecs

    from .clients import s3_client

    obj = s3_client().get_object(Bucket=bucket, Key=key)
    lines = codecs.iterdecode(obj["Body"].iter_lines(keepends=True), "utf-8-sig")
    return lines, obj["ETag"].strip('"')
