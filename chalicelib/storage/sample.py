"""The regulator's 10% sample: year-end snapshots, the sample's progress and each day's pick.

A snapshot member is `YEAREND#<year>#<branch>` / `<order>#<account>`, where `order` is a keyed
hash of year and account: a fixed pseudo-random order the daily picks walk through with a
cursor, so the choice for a date is deterministic. The branch's count is kept on the
`YEAREND#<year>` item the coverage report reads as its denominator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

from ..config import get_settings
from ..errors import ConditionFailed
from . import base, keys


def member_order(year: int, account_id: str) -> str:
    return hashlib.sha256(f"sample:{year}:{account_id}".encode()).hexdigest()[:10]


def branch_ids() -> list[str]:
    return sorted(i["branch_id"] for i in base.query_all("BRANCHES", index="gsi2") if i.get("branch_id"))


def active_on(day: date) -> Iterator[dict]:
    """Open accounts whose last activity was on `day` (the dormant index), every shard."""
    for shard in range(get_settings().selection_shards):
        for item in base.query_all(f"ACTIVE#{day}#{shard}", index="gsi4"):
            yield base.strip_keys(item)


def write_members(year: int, members: list[dict]) -> None:
    """Snapshot members; rewriting the same member is harmless (same key, same content)."""
    base.batch_put(
        {
            **keys.year_end_member(year, m["branch_id"], member_order(year, m["account_id"]), m["account_id"]),
            "account_id": m["account_id"],
            "branch_id": m["branch_id"],
            "year": year,
        }
        for m in members
    )


def get_year_end(branch_id: str, year: int) -> dict | None:
    """The denominator item the coverage report reads (`clients`, `source`)."""
    return base.strip_keys(base.get_item(**keys.year_end_clients(branch_id, year)))


def put_count(branch_id: str, year: int, clients: int, at: str, by: str) -> None:
    base.put(
        {
            **keys.year_end_clients(branch_id, year),
            "branch_id": branch_id,
            "year": year,
            "clients": clients,
            "source": "snapshot",
            "computed_at": at,
            "computed_by": by,
        }
    )


def members_after(year: int, branch_id: str, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Up to `limit` members after the cursor in the sample order, and the sort key of the last one."""
    pk = keys.year_end_member(year, branch_id, "", "")["pk"]
    page = base.query(pk, sk_gte=cursor + "~" if cursor else None, limit=limit)
    items = page.items
    return [base.strip_keys(i) for i in items], (items[-1]["sk"] if items else None)


def all_members(year: int, branch_id: str) -> set[str]:
    pk = keys.year_end_member(year, branch_id, "", "")["pk"]
    return {i["account_id"] for i in base.query_all(pk)}


def get_state(branch_id: str, year: int) -> dict:
    return base.strip_keys(base.get_item(**keys.sample_state(branch_id, year), consistent=True)) or {}


def get_day(branch_id: str, day: date) -> dict | None:
    return base.strip_keys(base.get_item(**keys.sample_day(branch_id, day), consistent=True))


def record_day(
    branch_id: str, day: date, account_ids: list[str], cursor_before: str | None, cursor_after: str | None, at: str
) -> bool:
    """The day's pick and the advanced cursor in one transaction; False if another run recorded it first."""
    state = keys.sample_state(branch_id, day.year)
    condition = "attribute_not_exists(#c)" if cursor_before is None else "#c = :before"
    values = {":after": cursor_after or cursor_before or "", ":n": len(account_ids), ":at": at}
    if cursor_before is not None:
        values[":before"] = cursor_before
    try:
        base.transact(
            [
                base.tx_put(
                    {
                        **keys.sample_day(branch_id, day),
                        "branch_id": branch_id,
                        "business_date": str(day),
                        "account_ids": account_ids,
                        "cursor_before": cursor_before,
                        "cursor_after": cursor_after,
                        "recorded_at": at,
                    }
                ),
                base.tx_update(
                    state["pk"],
                    state["sk"],
                    "SET #c = :after, updated_at = :at ADD picked :n",
                    names={"#c": "cursor"},
                    values=values,
                    condition=condition,
                ),
            ]
        )
        return True
    except ConditionFailed:
        return False
