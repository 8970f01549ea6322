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
from collections.abc import Sequence
from datetime import date

from ..config import get_settings
from ..errors import ConditionFailed, NotFound, Unavailable
from ..models.account_activity import last_activity_on
from . import base, keys

PERIODIC_TIERS = ("gold", "silver", "ordinary", "monthly")


def period_days(tier: str | None) -> int | None:
    s = get_settings()
    return {
        "gold": s.periodic_gold_days,
        "silver": s.periodic_silver_days,
        "ordinary": s.periodic_ordinary_days,
        "monthly": s.periodic_monthly_contact_days,
    }.get(tier or "")


def periodic_tier(state: dict) -> str | None:
    """The periodic cycle an account follows: its tier's, or monthly after a transfer out
    (003 第三十一条 "每月至少与客户交流一次") when that is more often."""
    tier = state.get("tier")
    if state.get("monthly_contact"):
        monthly = get_settings().periodic_monthly_contact_days
        if (period_days(tier) or monthly + 1) > monthly:
            return "monthly"
    return tier


def periodic_phase(account_id: str, days: int) -> int:
    # Salted so the phase is independent of the shard suffix (which hashes the bare id).
    return int(hashlib.sha256(f"periodic:{account_id}".encode()).hexdigest()[:12], 16) % max(days, 1)


def periodic_bucket(day: date, days: int) -> int:
    """Accounts whose phase equals this come up on `day`: once per period, no writes needed."""
    return day.toordinal() % max(days, 1)


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
        tier = periodic_tier(state)
        days = period_days(tier)
        if tier and days:
            item.update(keys.account_periodic_index(tier, periodic_phase(account_id, days), account_id, shards))
    return item


def transfer_item(record: dict, large: bool) -> dict:
    item = {**keys.transfer_out(record["account_id"], record["at"], record["event_id"]), **record}
    if large:
        item.update(
            keys.large_outflow_index(
                record["on"], record["account_id"], record["event_id"], get_settings().selection_shards
            )
        )
    return item


def get_account(account_id: str, *, consistent: bool = False) -> dict | None:
    return base.strip_keys(base.get_item(**keys.account(account_id), consistent=consistent))


def get_event(event_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.account_event(event_id), consistent=True))


def inbox_item(entry: dict) -> dict:
    """The full item of an inbox entry (for seeding; the feed writes `inbox_op`)."""
    a, trigger, episode = entry["account_id"], entry["trigger"], entry["episode"]
    item = {
        **keys.selection_inbox(a, trigger, episode),
        **keys.selection_inbox_index(entry["event_on"], trigger, a, episode, get_settings().selection_shards),
        "trigger": trigger,
        "episode": episode,
        "event_on": entry["event_on"],
        "account_id": a,
        "account": entry["account"],
        "detail": entry.get("detail", {}),
    }
    if "transfer" in entry:
        item["transfers"] = [entry["transfer"]]
    return item


def inbox_op(entry: dict) -> dict:
    """Put (or, for a day's large outflows, extend) an entry of the selection inbox; indexed until selected."""
    a, trigger, episode = entry["account_id"], entry["trigger"], entry["episode"]
    key = keys.selection_inbox(a, trigger, episode)
    index = keys.selection_inbox_index(entry["event_on"], trigger, a, episode, get_settings().selection_shards)
    fields = {
        "trigger": trigger,
        "episode": episode,
        "event_on": entry["event_on"],
        "account_id": a,
        "account": entry["account"],
        "detail": entry.get("detail", {}),
        **index,
    }
    names = {f"#f{i}": k for i, k in enumerate(fields)}
    values = {f":f{i}": v for i, v in enumerate(fields.values())}
    expression = "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    if "transfer" in entry:
        names["#x"] = "transfers"
        values.update({":x": [entry["transfer"]], ":none": []})
        expression += ", #x = list_append(if_not_exists(#x, :none), :x)"
    return base.tx_update(key["pk"], key["sk"], expression, names=names, values=values)


def write_event(
    event_record: dict,
    state: dict,
    previous_version: int,
    transfer: tuple[dict, bool] | None,
    inbox: Sequence[dict] = (),
    extra_ops: list[dict] | None = None,
) -> str:
    """Store one applied event with its selection inbox entries and `extra_ops` (its outbox entries).
    Returns "ok", "duplicate" (event id seen) or "conflict" (account moved on)."""
    ops = [base.tx_put({**keys.account_event(event_record["event_id"]), **event_record})]
    if previous_version == 0:
        ops.append(base.tx_put(account_item(state)))
    else:
        ops.append(
            base.tx_put(
                account_item(state), condition="#v = :v", names={"#v": "version"}, values={":v": previous_version}
            )
        )
    if transfer is not None:
        ops.append(base.tx_put(transfer_item(*transfer)))
    ops += [inbox_op(e) for e in inbox]
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


def start_import(source: str, summary: dict, *, replace: bool = False) -> None:
    """The summary of a file's import, indexed as incomplete until it completes (first delivery wins)."""
    item = {**keys.import_summary(source), **keys.import_incomplete_index(summary["started_at"], source), **summary}
    if replace:
        base.put(item)
    else:
        base.put_new(item)


def commit_import_progress(
    source: str,
    previous_row: int,
    row: int,
    counts: dict,
    *,
    status: str,
    finished: bool = False,
    fields: dict | None = None,
) -> bool:
    """Move the import's cursor from `previous_row` to `row`, adding the counts of the rows in between.

    Conditional on the cursor, so two deliveries of one file never count a row twice. A write applied
    whose answer was lost (the retry then finds the cursor moved) reads as committed when the cursor
    stands where this call put it. False: another delivery moved the cursor elsewhere.
    """
    key = keys.import_summary(source)
    names = {"#row": "committed_row", "#status": "status"}
    values = {":prev": previous_row, ":row": row, ":status": status}
    sets = ["#row = :row", "#status = :status"]
    adds = []
    for i, (name, n) in enumerate(counts.items()):
        names[f"#c{i}"], values[f":c{i}"] = name, n
        adds.append(f"#c{i} :c{i}")
    for i, (name, value) in enumerate((fields or {}).items()):
        names[f"#f{i}"], values[f":f{i}"] = name, value
        sets.append(f"#f{i} = :f{i}")
    expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
    if finished:  # out of the resume job's index
        names.update({"#ip": "gsi3pk", "#is": "gsi3sk"})
        expression += " REMOVE #ip, #is"
    try:
        base.update(
            key["pk"], key["sk"], expression, names=names, values=values, condition="#row = :prev", return_values="NONE"
        )
    except ConditionFailed:
        current = get_import_summary(source) or {}
        return int(current.get("committed_row", -1)) == row and current.get("status") == status
    return True


def put_import_row_error(source: str, row: int, error: dict) -> None:
    """One refused row (idempotent: a resumed import rewrites the same item)."""
    base.put({**keys.import_row_error(source, row), "row": row, **error})


def import_row_errors(source: str, limit: int) -> list[dict]:
    pk = keys.import_summary(source)["pk"]
    page = base.query_records(pk, sk_begins=keys.IMPORT_ROW_ERROR_PREFIX, limit=limit, consistent=True)
    return page.items


def incomplete_imports(limit: int) -> list[dict]:
    return base.query_records("IMPORT#INCOMPLETE", index="gsi3", limit=limit).items


def get_import_summary(source: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.import_summary(source), consistent=True))


def open_feed_file(bucket: str, key: str, version_id: str | None = None) -> tuple[bytes, str, str | None]:
    """(bytes, etag, version id) of a core-system CSV file in S3. The whole file is read: its encoding
    is decided per file, and a resumed import skips to its cursor by row number."""
    from botocore.exceptions import ClientError

    from .clients import s3_client

    kwargs = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    try:
        obj = s3_client().get_object(**kwargs)
        return obj["Body"].read(), obj["ETag"].strip('"'), obj.get("VersionId")
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "NoSuchVersion", "NoSuchBucket", "InvalidObjectState"):
            # Gone, or moved to colder storage (the bucket's lifecycle): the file cannot be read as it is.
            raise NotFound(f"account file {bucket}/{key} cannot be read: {code}") from err
        raise Unavailable(f"account file {bucket}/{key} could not be read: {code}") from err


def agent_holds_open_task(agent_id: str, account_id: str) -> bool:
    """Whether this agent is assigned an open callback task on the account (the reveal policy's test)."""
    from ..models.tasks import OPEN_STATUSES

    return any(
        t.get("assignee_id") == agent_id and t.get("status") in OPEN_STATUSES
        for t in base.query_all(keys.task_account_partition(account_id), index="gsi4")
    )
