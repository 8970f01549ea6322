"""Penalties, their audit trail and reversals, rule versions, escalation flags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import ConditionFailed
from . import base, keys
from .cache import ttl_cache

OPEN_CASH_STATUSES = ("open",)
_FEN = Decimal("0.01")


def _fen(value):
    """DynamoDB stores numbers canonically (50.00 comes back as 50; moto keeps 50.00): money is
    read back to the fen, so a response never depends on the engine."""
    if isinstance(value, dict):
        return {
            k: (v.quantize(_FEN) if isinstance(v, Decimal) and k.endswith("yuan") else _fen(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fen(v) for v in value]
    return value


def _out(item):
    return _fen(base.strip_keys(item))


# --- rule versions ---------------------------------------------------------------------------
@ttl_cache(60)
def rule_scope(scope: str) -> dict:
    """A scope's versions (oldest first) and its head revision (None before the first version added
    through `put_rule_version`), in one query; cached a minute per container. A penalty's transaction
    checks the revision it used (`rule_head_check`), so a stale copy can never price a penalty."""
    rev, versions = None, []
    for item in base.query_all(f"RULES#{scope}", consistent=True):
        if item["sk"] == keys.rule_head(scope)["sk"]:
            rev = int(item["rev"])
        elif item["sk"].startswith("VERSION#"):
            versions.append(base.strip_keys(item))
    return {"rev": rev, "versions": versions}


def forget_rule_scopes() -> None:
    """This container's cached scopes (a penalty's transaction found a revision moved on)."""
    rule_scope.cache_clear()


def rule_version_in_force(scope: str, on: date | str) -> dict | None:
    """The last version of a scope effective on or before `on`."""
    on = str(on)
    found = [v for v in rule_scope(scope)["versions"] if str(v["effective_from"]) <= on]
    return found[-1] if found else None


def rule_head_check(scope: str, rev: int | None) -> dict:
    head = keys.rule_head(scope)
    if rev is None:
        return base.tx_check(head["pk"], head["sk"], "attribute_not_exists(pk)")
    return base.tx_check(head["pk"], head["sk"], "rev = :r", values={":r": rev})


def get_rule_version(scope: str, effective_from: date | str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.rule_version(scope, effective_from)))


def put_rule_version(record: dict) -> None:
    """A new version (refused if one is effective the same day) and the scope's revision moved on."""
    head = keys.rule_head(record["scope"])
    base.transact(
        [
            base.tx_put({**keys.rule_version(record["scope"], record["effective_from"]), **record}),
            base.tx_update(head["pk"], head["sk"], "ADD rev :one", values={":one": 1}),
        ]
    )
    forget_rule_scopes()


# --- penalties -------------------------------------------------------------------------------
def penalty_item(record: dict) -> dict:
    """The full item; the due index exists only while the penalty is open and payable in cash."""
    item = {
        **keys.penalty(record["penalty_id"]),
        **record,
        **keys.penalty_indexes(record["manager_id"], record["branch_id"], record["breach_date"], record["penalty_id"]),
    }
    if record["status"] in OPEN_CASH_STATUSES and record.get("due_on") and not record.get("overdue"):
        item.update(keys.penalty_due_index(record["due_on"], record["penalty_id"]))
    return item


def audit_item(penalty_id: str, entry: dict) -> dict:
    at = f"{entry['at']}#{int(entry['revision']):04d}"
    return {**keys.penalty_audit(penalty_id, at), "penalty_id": penalty_id, **entry}


def enter(
    record: dict,
    audit: dict,
    *,
    branch_id: str,
    ledger: dict,
    ledger_version: int | None,
    catalogue_revisions: dict,
    flags: list[dict],
) -> None:
    """The penalty, its audit entry, its manager's month ledger (conditional on the version read), the
    escalation flags it raises, a check that the manager is a client manager of `branch_id` and one
    that each catalogue scope used is still at its revision: all or nothing, one request (a refusal is
    `base.TransactionCancelled`)."""
    staff = keys.staff(record["manager_id"])
    ops = [
        base.tx_put(penalty_item(record)),
        base.tx_put(audit_item(record["penalty_id"], audit)),
        base.tx_check(
            staff["pk"],
            staff["sk"],
            "attribute_exists(pk) AND branch_id = :b AND #r = :cm",
            names={"#r": "role"},
            values={":b": branch_id, ":cm": "client_manager"},
        ),
        ledger_op(ledger, ledger_version),
    ]
    ops += [rule_head_check(scope, rev) for scope, rev in sorted(catalogue_revisions.items())]
    ops += [base.tx_put(flag_item(f)) for f in flags]
    # The order above is read back by storage/penalties_repo.py (EntryRefused): penalty, audit, manager
    # check, ledger, one check per catalogue scope in sorted order, then one item per flag.
    base.transact(ops)


# --- the month ledger ---------------------------------------------------------------------------
def get_ledger(manager_id: str, month: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.penalty_ledger(manager_id, month), consistent=True))


def ledger_op(ledger: dict, expected_version: int | None) -> dict:
    item = {**keys.penalty_ledger(ledger["manager_id"], ledger["month"]), **ledger}
    if expected_version is None:
        return base.tx_put(item)
    return base.tx_put(item, condition="version = :v", values={":v": expected_version})


def ledger_drop_op(record: dict) -> dict:
    """For the transaction that voids or overturns `record`: it no longer counts in its month. A penalty
    entered before ledgers existed marks its month's ledger stale instead (rebuilt at the next entry);
    on a missing ledger that leaves a stub, which is rebuilt too."""
    key = keys.penalty_ledger(record["manager_id"], record["breach_date"][:7])
    if record.get("ledgered"):
        return base.tx_update(
            key["pk"],
            key["sk"],
            "REMOVE #ps.#p ADD version :one",
            names={"#ps": "penalties", "#p": record["penalty_id"]},
            values={":one": 1},
            condition="attribute_exists(pk)",
        )
    return base.tx_update(key["pk"], key["sk"], "SET stale = :t ADD version :one", values={":t": True, ":one": 1})


def replace(
    record: dict,
    *,
    expected_status: str,
    expected_revision: int,
    audit: dict,
    reversal: dict | None = None,
    extra_ops: list[dict] | None = None,
) -> None:
    """Writes the changed penalty only if nobody changed it meanwhile (status and revision)."""
    ops = [
        base.tx_put(
            penalty_item(record),
            condition="#s = :s AND revision = :r",
            names={"#s": "status"},
            values={":s": expected_status, ":r": expected_revision},
        ),
        base.tx_put(audit_item(record["penalty_id"], audit)),
    ]
    if reversal is not None:
        ops.append(base.tx_put({**keys.penalty_reversal(record["penalty_id"]), **reversal}))
    ops += list(extra_ops or [])
    try:
        base.transact(ops)
    except base.TransactionCancelled as err:
        raise ConditionFailed("the penalty changed meanwhile") from err


def get(penalty_id: str, *, consistent: bool = True) -> dict | None:
    return _out(base.get_item(**keys.penalty(penalty_id), consistent=consistent))


def get_with_history(penalty_id: str) -> tuple[dict | None, list[dict], dict | None]:
    items = base.query_all(f"PENALTY#{penalty_id}", consistent=True)
    record, history, reversal = None, [], None
    for item in items:
        sk = item["sk"]
        if sk == "PENALTY":
            record = _out(item)
        elif sk == "REVERSAL":
            reversal = _out(item)
        elif sk.startswith("AUDIT#"):
            history.append(_out(item))
    return record, history, reversal


def list_for_manager(manager_id: str, month: str | None, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"STAFF#{manager_id}#PENALTIES",
        index="gsi1",
        sk_begins=f"{month}-" if month else None,
        limit=limit,
        start_key=start_key,
        newest_first=True,
    )


def list_for_branch(branch_id: str, month: str | None, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"BRANCH#{branch_id}#PENALTIES",
        index="gsi2",
        sk_begins=f"{month}-" if month else None,
        limit=limit,
        start_key=start_key,
        newest_first=True,
    )


def manager_month(manager_id: str, month: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"STAFF#{manager_id}#PENALTIES", index="gsi1", sk_begins=f"{month}-")]


def branch_month(branch_id: str, month: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"BRANCH#{branch_id}#PENALTIES", index="gsi2", sk_begins=f"{month}-")]


def due_on(day: date | str) -> list[dict]:
    """Penalties whose cash settlement fell due on a day and were still open when last written."""
    return [_out(i) for i in base.query_all(f"PENALTYDUE#{day}", index="gsi3")]


def branch_exists(branch_id: str) -> bool:
    # storage.directory.get_branch passes the branch's index attributes to get_item (a TypeError); read the key here.
    key = keys.branch(branch_id)
    return base.get_item(key["pk"], key["sk"]) is not None


# --- collisions (written by the intent-client area; read only) ------------------------------
def get_collision(collision_id: str) -> dict | None:
    return _out(base.get_item(**keys.collision(collision_id)))


# --- flags ---------------------------------------------------------------------------------------
def flag_item(record: dict) -> dict:
    return {
        **keys.flag(record["flag_id"]),
        **keys.flag_indexes(record["branch_id"], record["staff_id"], record["created_at"], record["flag_id"]),
        **record,
    }


def put_flag(record: dict) -> bool:
    """False if this flag (deterministic id) was already raised."""
    try:
        base.put_new(flag_item(record))
    except ConditionFailed:
        return False
    return True


def get_flag(flag_id: str) -> dict | None:
    return _out(base.get_item(**keys.flag(flag_id)))


def list_flags(*, branch_id: str | None = None, staff_id: str | None = None, limit: int, start_key=None) -> base.Page:
    if staff_id:
        return base.query_records(
            f"STAFF#{staff_id}#FLAGS", index="gsi1", limit=limit, start_key=start_key, newest_first=True
        )
    return base.query_records(
        f"BRANCH#{branch_id}#FLAGS", index="gsi2", limit=limit, start_key=start_key, newest_first=True
    )


def staff_flags_since(staff_id: str, since: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"STAFF#{staff_id}#FLAGS", index="gsi1", sk_gte=since)]


def branch_flags_since(branch_id: str, since: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"BRANCH#{branch_id}#FLAGS", index="gsi2", sk_gte=since)]
