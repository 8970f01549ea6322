"""Four-eyes privilege requests: one item each, listed by status for the approvers."""

from __future__ import annotations

from . import base, keys


def _item(record: dict) -> dict:
    return {
        **keys.privilege_request(record["request_id"]),
        **keys.privilege_request_index(record["status"], record["requested_at"], record["request_id"]),
        **record,
    }


def put_request(record: dict) -> None:
    base.put_new(_item(record))


def get_request(request_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.privilege_request(request_id), consistent=True))


def decide_op(record: dict, decision: dict) -> dict:
    """Replace the pending request with its decision; refused if someone decided it first."""
    return base.tx_put(
        _item({**record, **decision}), condition="#s = :pending", names={"#s": "status"}, values={":pending": "pending"}
    )


def list_requests(status: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"PRIVREQS#{status}", index="gsi1", limit=limit, start_key=start_key)
