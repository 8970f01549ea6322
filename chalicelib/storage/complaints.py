"""Complaints: one item each, found by id, by branch, by owner and (while the clock runs) by due hour."""

from __future__ import annotations

from collections.abc import Callable

from ..models.complaints import UNRESOLVED
from . import base, keys


def complaint_item(record: dict) -> dict:
    """The full item; the due bucket (gsi3) exists only while the complaint is unresolved and not escalated."""
    item = {
        **keys.complaint(record["complaint_id"]),
        **record,
        **keys.complaint_indexes(
            record["branch_id"], record.get("owner_id"), record["received_at"], record["complaint_id"]
        ),
    }
    if record["status"] in UNRESOLVED and not record.get("escalated"):
        item.update(keys.complaint_due_index(record["due_at"][:13], record["complaint_id"]))
    return item


def new_op(record: dict) -> dict:
    return base.tx_put(complaint_item(record))


def replace_op(record: dict, *, expected_revision: int) -> dict:
    return base.tx_put(complaint_item(record), condition="revision = :rev", values={":rev": expected_revision})


def write(operations: list[dict]) -> None:
    base.transact(operations)


def get(complaint_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.complaint(complaint_id), consistent=True))


def _list(pk: str, index: str, month: str | None, limit: int, start_key, keep) -> base.Page:
    if keep:  # a full page of the complaints the filter accepts (base.query_kept)
        return base.query_kept(
            pk, keep, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True
        )
    return base.query_records(pk, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True)


def list_branch(
    branch_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"BRANCH#{branch_id}#COMPLAINTS", "gsi2", month, limit, start_key, keep)


def list_owner(
    owner_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"STAFF#{owner_id}#COMPLAINTS", "gsi1", month, limit, start_key, keep)


def owner_month(owner_id: str, month: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"STAFF#{owner_id}#COMPLAINTS", index="gsi1", sk_begins=month)]


def due_in_hour(hour: str) -> list[dict]:
    found: list[dict] = []
    for shard_no in range(keys.COMPLAINT_DUE_SHARDS):
        found.extend(base.strip_keys(i) for i in base.query_all(f"COMPLAINTDUE#{hour}#{shard_no}", index="gsi3"))
    return found


def escalate_op(complaint_id: str, at: str) -> dict:
    """Sets the escalated flag once, only while unresolved, and leaves the due bucket; a new revision, so a
    change read before it cannot overwrite the flag."""
    k = keys.complaint(complaint_id)
    return base.tx_update(
        k["pk"],
        k["sk"],
        "SET escalated = :t, escalated_at = :at, revision = revision + :one " "REMOVE gsi3pk, gsi3sk",
        names={"#s": "status"},
        values={":t": True, ":at": at, ":one": 1, ":o": "open", ":p": "in_progress"},
        condition="attribute_exists(pk) AND attribute_not_exists(escalated_at) AND #s IN (:o, :p)",
    )
