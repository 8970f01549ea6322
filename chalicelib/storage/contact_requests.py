"""Contact-update requests (wrong numbers): under the account, on the branch's list and the due-day index
while open; closing one takes it off both indexes in the same transaction as the task it resolves."""

from __future__ import annotations

from . import base, keys


def contact_request_item(record: dict) -> dict:
    item = {**keys.contact_request(record["account_id"], record["requested_at"], record["task_id"]), **record}
    if record.get("status") == "open":
        item.update(keys.contact_request_indexes(record["branch_id"], record["due_on"], record["task_id"]))
    return item


def new_contact_request_op(record: dict) -> dict:
    return base.tx_put(contact_request_item(record))


def close_contact_request_op(record: dict, status: str, fields: dict) -> dict:
    """Close an open request (leaves both indexes); fails the transaction if it is no longer open."""
    key = keys.contact_request(record["account_id"], record["requested_at"], record["task_id"])
    names = {"#s": "status", **{f"#f{i}": k for i, k in enumerate(fields)}}
    values = {":open": "open", ":to": status, **{f":f{i}": v for i, v in enumerate(fields.values())}}
    sets = ", ".join(["#s = :to", *(f"#f{i} = :f{i}" for i in range(len(fields)))])
    return base.tx_update(
        key["pk"],
        key["sk"],
        f"SET {sets} REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk",
        names=names,
        values=values,
        condition="#s = :open",
    )


def open_contact_requests(account_id: str) -> list[dict]:
    return [
        base.strip_keys(i)
        for i in base.query_all(f"ACCOUNT#{account_id}", sk_begins="CONTACTREQ#", consistent=True)
        if i.get("status") == "open"
    ]


def list_branch_contact_requests(branch_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"BRANCH#{branch_id}#CONTACTREQS", index="gsi1", limit=limit, start_key=start_key)


def contact_requests_due_on(day: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"CONTACTDUE#{day}", index="gsi3")]
