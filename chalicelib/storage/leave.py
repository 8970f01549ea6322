"""Leave requests: one item each, found by id, by manager and by branch (both by first day)."""

from __future__ import annotations

from collections.abc import Callable

from . import base, keys


def leave_item(record: dict) -> dict:
    return {
        **keys.leave(record["leave_id"]),
        **record,
        **keys.leave_indexes(record["manager_id"], record["branch_id"], record["start_date"], record["leave_id"]),
    }


def create(record: dict) -> None:
    base.transact([base.tx_put(leave_item(record))])


def replace(record: dict, *, expected_revision: int, expected_status: str) -> None:
    base.transact(
        [
            base.tx_put(
                leave_item(record),
                condition="revision = :rev AND #s = :st",
                names={"#s": "status"},
                values={":rev": expected_revision, ":st": expected_status},
            )
        ]
    )


def get(leave_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.leave(leave_id), consistent=True))


def _list(pk: str, index: str, month: str | None, limit: int, start_key, keep) -> base.Page:
    if keep:
        return base.query_kept(
            pk, keep, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True
        )
    return base.query_records(pk, index=index, sk_begins=month, limit=limit, start_key=start_key, newest_first=True)


def list_manager(
    manager_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"STAFF#{manager_id}#LEAVE", "gsi1", month, limit, start_key, keep)


def list_branch(
    branch_id: str, month: str | None, *, limit: int, start_key=None, keep: Callable[[dict], bool] | None = None
) -> base.Page:
    return _list(f"BRANCH#{branch_id}#LEAVE", "gsi2", month, limit, start_key, keep)


def starting_between(manager_id: str, first: str, last: str) -> list[dict]:
    """A manager's leave whose first day lies in [first, last] (ISO dates): bounded by the longest leave."""
    return [
        base.strip_keys(i)
        for i in base.query_all(f"STAFF#{manager_id}#LEAVE", index="gsi1", sk_between=(first, f"{last}#~"))
    ]
