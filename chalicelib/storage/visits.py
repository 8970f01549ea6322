"""Visit logs, their correction notes and weekly sign-offs."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConditionFailed, NotFound
from . import base, keys


class WeekSignedOff(ConditionFailed):
    """The log's week was signed off: the unsigned-week check of `put_new_visit` refused the write."""


class AccountRefused(ConditionFailed):
    """The account check of `put_new_visit` refused: unknown, another branch's, or not served by the manager."""


def put_new_visit(
    record: dict,
    also: Sequence[dict] = (),
    *,
    unsigned_week: str | None = None,
    account: tuple[str, str, str | None] | None = None,
) -> None:
    """A new log; `also` (its contact-plan entry) is written in the same transaction. The write also
    checks, with no read before it: with `unsigned_week`, that the manager's week is not signed off
    (else WeekSignedOff); with `account` (id, branch, serving manager or None), that the account is in
    the branch and, if named, served by that manager (else AccountRefused). A plain ConditionFailed
    means the log's id exists already."""
    item = {
        **keys.visit(record["visit_id"]),
        **keys.visit_indexes(record["manager_id"], record["branch_id"], record["visited_at"], record["visit_id"]),
        **record,
    }
    checks: dict[str, dict] = {}
    if unsigned_week is not None:
        signoff = keys.week_signoff(record["manager_id"], unsigned_week)
        checks["week"] = base.tx_check(signoff["pk"], signoff["sk"], "attribute_not_exists(pk)")
    if account is not None:
        account_id, branch_id, serving = account
        key = keys.account(account_id)
        condition, values = "attribute_exists(pk) AND branch_id = :b", {":b": branch_id}
        if serving:
            condition, values = condition + " AND serving_manager_id = :m", {**values, ":m": serving}
        checks["account"] = base.tx_check(key["pk"], key["sk"], condition, values=values)
    if not also and not checks:
        base.put_new(item)
        return
    try:
        # Item 0 is the log (its id), then the checks in this order: their indexes name what refused.
        base.transact([base.tx_put(item), *checks.values(), *also])
    except base.TransactionCancelled as err:
        refused = {name for i, name in enumerate(checks, start=1) if err.failed(i)}
        if err.failed(0):
            raise
        if "week" in refused:
            raise WeekSignedOff("the week is signed off") from None
        if "account" in refused:
            raise AccountRefused("the account check refused the log") from None
        raise


def get_visit(visit_id: str, *, consistent: bool = False) -> dict | None:
    return base.strip_keys(base.get_item(**keys.visit(visit_id), consistent=consistent))


def amend_visit(visit_id: str, changes: dict, *, amended_at: str, expected_version: int, previous: dict) -> dict:
    """Set the changed fields if nobody amended it meanwhile (optimistic version check), keeping the
    log as it stood (`previous`) in a version item, in one transaction."""
    names, values, sets, removes = {"#v": "version"}, {":v": expected_version, ":one": 1, ":at": amended_at}, [], []
    for i, (field, value) in enumerate(changes.items()):
        names[f"#f{i}"] = field
        if value is None:
            removes.append(f"#f{i}")
        else:
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
    expression = "SET " + ", ".join(sets + ["amended_at = :at", "#v = #v + :one"])
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    kept = {
        **keys.visit_version(visit_id, expected_version),
        **{k: v for k, v in previous.items() if k not in base.KEY_ATTRS},
        "superseded_at": amended_at,
    }
    try:
        base.transact(
            [
                base.tx_put(kept),
                base.tx_update(
                    **keys.visit(visit_id), expression=expression, names=names, values=values, condition="#v = :v"
                ),
            ]
        )
    except ConditionFailed:
        # Applied, its answer lost and the retry refused? The log then carries this very amendment.
        current = get_visit(visit_id, consistent=True) or {}
        if current.get("amended_at") != amended_at or int(current.get("version", 0)) != expected_version + 1:
            raise
        return current
    amended = get_visit(visit_id, consistent=True)
    if amended is None:  # the transaction above just wrote it: absent only if deleted since, which nothing does
        raise NotFound(f"visit {visit_id} not found")
    return amended


def visit_versions(visit_id: str) -> list[dict]:
    """The log's earlier versions, oldest first."""
    return base.query_records(keys.visit(visit_id)["pk"], sk_begins=keys.VISIT_VERSION_PREFIX, consistent=True).items


def decide_late(visit_id: str, status: str, approval: dict, also: Sequence[dict] = ()) -> None:
    """A pending late log approved or rejected, once (conditional on its still pending), with `also`
    (an approved log's contact-plan entry) in the same transaction."""
    k = keys.visit(visit_id)
    base.transact(
        [
            base.tx_update(
                k["pk"],
                k["sk"],
                "SET #s = :s, approval = :a",
                names={"#s": "status"},
                values={":s": status, ":a": approval, ":p": "pending_approval"},
                condition="#s = :p",
            ),
            *also,
        ]
    )


MAX_NOTES = 50


def add_note(visit_id: str, note: dict) -> None:
    """Notes live in the log's item so reading a log is one request; they are only ever appended."""
    base.update(
        **keys.visit(visit_id),
        expression="SET notes = list_append(if_not_exists(notes, :empty), :note)",
        values={":empty": [], ":note": [note], ":max": MAX_NOTES},
        condition="attribute_exists(pk) AND (attribute_not_exists(notes) OR size(notes) < :max)",
        return_values="NONE",
    )


def list_manager_visits(
    manager_id: str, start: str, end: str, *, limit=None, start_key=None, newest_first=True
) -> base.Page:
    return base.query_records(
        f"STAFF#{manager_id}#VISITS",
        index="gsi1",
        sk_between=(start, end),
        limit=limit,
        start_key=start_key,
        newest_first=newest_first,
    )


def all_manager_visits(manager_id: str, start: str, end: str) -> list[dict]:
    return [
        base.strip_keys(i) for i in base.query_all(f"STAFF#{manager_id}#VISITS", index="gsi1", sk_between=(start, end))
    ]


def list_branch_visits(branch_id: str, start: str, end: str, *, limit=None, start_key=None) -> base.Page:
    return base.query_records(
        f"BRANCH#{branch_id}#VISITS",
        index="gsi2",
        sk_between=(start, end),
        limit=limit,
        start_key=start_key,
        newest_first=True,
    )


def put_signoff(record: dict) -> None:
    base.put_new({**keys.week_signoff(record["manager_id"], record["week"]), **record})


def get_signoff(manager_id: str, week: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.week_signoff(manager_id, week)))
