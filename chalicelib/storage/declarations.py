"""Month-end declarations: one item per manager and month, found by the branch's month."""

from __future__ import annotations

from ..errors import ConditionFailed
from . import base, keys


def declaration_item(record: dict) -> dict:
    return {
        **keys.declaration(record["manager_id"], record["month"]),
        **record,
        **keys.declaration_index(record["branch_id"], record["month"], record["manager_id"]),
    }


def save(record: dict, expected_revision: int | None) -> None:
    """The first declaration of the month, or a replacement of the revision read (never two at once), while
    the branch's month is not closed (checked in the same transaction: a closure cannot slip between)."""
    if expected_revision is None:
        op = base.tx_put(declaration_item(record))
    else:
        op = base.tx_put(declaration_item(record), condition="revision = :rev", values={":rev": expected_revision})
    closure = keys.declaration_closure(record["branch_id"], record["month"])
    try:
        base.transact([op, base.tx_check(closure["pk"], closure["sk"], "attribute_not_exists(pk)")])
    except base.TransactionCancelled as err:
        if err.failed(1):
            raise MonthClosed() from None
        raise


class MonthClosed(ConditionFailed):
    """The branch's month was closed for declarations: nothing was written."""

    def __init__(self) -> None:
        super().__init__("the month is closed for declarations")


def close(record: dict) -> bool:
    """Close the branch's month; False if it was closed already (the first closure stands)."""
    try:
        base.put_new({**keys.declaration_closure(record["branch_id"], record["month"]), **record})
        return True
    except ConditionFailed:
        return False


def closure(branch_id: str, month: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.declaration_closure(branch_id, month), consistent=True))


def get(manager_id: str, month: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.declaration(manager_id, month), consistent=True))


def branch_month(branch_id: str, month: str) -> list[dict]:
    """A branch's declarations of a month: one per manager, so bounded by the branch's staff."""
    return [base.strip_keys(i) for i in base.query_all(f"BRANCH#{branch_id}#DECLARATIONS#{month}", index="gsi1")]


def accounts(account_ids: list[str]) -> dict[str, dict]:
    found = base.batch_get([(keys.account(a)["pk"], keys.account(a)["sk"]) for a in account_ids])
    return {i["account_id"]: base.strip_keys(i) for i in found if i.get("account_id")}


def conversions(account_ids: list[str]) -> dict[str, dict]:
    found = base.batch_get([(keys.conversion(a)["pk"], keys.conversion(a)["sk"]) for a in account_ids])
    return {i["account_id"]: base.strip_keys(i) for i in found if i.get("account_id")}
