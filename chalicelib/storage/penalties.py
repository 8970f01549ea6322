"""Penalties, their audit trail and reversals, rule versions, escalation flags."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import ConditionFailed
from . import base, keys

OPEN_CASH_STATUSES = ("open",)
_FEN = Decimal("0.01")


def _fen(value):
    """DynamoDB stores numbers canonically (50.00 comes back as 50; moto keeps 50.00): money is
    read back to the fen, so a response never depends on the engine."""
    if isinstance(value, dict):
        return {k: (v.quantize(_FEN) if isinstance(v, Decimal) and k.endswith("yuan") else _fen(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_fen(v) for v in value]
    return value


def _out(item):
    return _fen(base.strip_keys(item))


# --- rule versions ---------------------------------------------------------------------------
def rule_version_in_force(scope: str, on: date | str) -> dict | None:
    """The last version of a scope effective on or before `on`."""
    page = base.query(f"RULES#{scope}", sk_between=("VERSION#", f"VERSION#{on}"), newest_first=True, limit=1)
    return base.strip_keys(page.items[0]) if page.items else None


def get_rule_version(scope: str, effective_from: date | str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.rule_version(scope, effective_from)))


def put_rule_version(record: dict) -> None:
    base.put_new({**keys.rule_version(record["scope"], record["effective_from"]), **record})


# --- penalties -------------------------------------------------------------------------------
def penalty_item(record: dict) -> dict:
    """The full item; the due index exists only while the penalty is open and payable in cash."""
    item = {**keys.penalty(record["penalty_id"]), **record,
            **keys.penalty_indexes(record["manager_id"], record["branch_id"], record["breach_date"],
                                   record["penalty_id"])}
    if record["status"] in OPEN_CASH_STATUSES and record.get("due_on") and not record.get("overdue"):
        item.update(keys.penalty_due_index(record["due_on"], record["penalty_id"]))
    return item


def audit_item(penalty_id: str, entry: dict) -> dict:
    at = f"{entry['at']}#{int(entry['revision']):04d}"
    return {**keys.penalty_audit(penalty_id, at), "penalty_id": penalty_id, **entry}


def create(record: dict, audit: dict, extra_ops: list[dict] | None = None) -> None:
    """The penalty, its audit entry and `extra_ops` (its outbox entries) in one transaction."""
    base.transact([base.tx_put(penalty_item(record)), base.tx_put(audit_item(record["penalty_id"], audit)),
                   *(extra_ops or [])])


def replace(record: dict, *, expected_status: str, expected_revision: int, audit: dict,
            reversal: dict | None = None, extra_ops: list[dict] | None = None) -> None:
    """Writes the changed penalty only if nobody changed it meanwhile (status and revision)."""
    ops = [base.tx_put(penalty_item(record), condition="#s = :s AND revision = :r", names={"#s": "status"},
                       values={":s": expected_status, ":r": expected_revision}),
           base.tx_put(audit_item(record["penalty_id"], audit))]
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
    return base.query_records(f"STAFF#{manager_id}#PENALTIES", index="gsi1", sk_begins=f"{month}-" if month else None,
                              limit=limit, start_key=start_key, newest_first=True)


def list_for_branch(branch_id: str, month: str | None, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"BRANCH#{branch_id}#PENALTIES", index="gsi2", sk_begins=f"{month}-" if month else None,
                              limit=limit, start_key=start_key, newest_first=True)


def manager_month(manager_id: str, month: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"STAFF#{manager_id}#PENALTIES", index="gsi1",
                                                        sk_begins=f"{month}-")]


def branch_month(branch_id: str, month: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"BRANCH#{branch_id}#PENALTIES", index="gsi2",
                                                        sk_begins=f"{month}-")]


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
def put_flag(record: dict) -> bool:
    """False if this flag (deterministic id) was already raised."""
    item = {**keys.flag(record["flag_id"]),
            **keys.flag_indexes(record["branch_id"], record["staff_id"], record["created_at"], record["flag_id"]),
            **record}
    try:
        base.put_new(item)
    except ConditionFailed:
        return False
    return True


def get_flag(flag_id: str) -> dict | None:
    return _out(base.get_item(**keys.flag(flag_id)))


def list_flags(*, branch_id: str | None = None, staff_id: str | None = None, limit: int, start_key=None) -> base.Page:
    if staff_id:
        return base.query_records(f"STAFF#{staff_id}#FLAGS", index="gsi1", limit=limit, start_key=start_key,
                                  newest_first=True)
    return base.query_records(f"BRANCH#{branch_id}#FLAGS", index="gsi2", limit=limit, start_key=start_key,
                              newest_first=True)


def staff_flags_since(staff_id: str, since: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"STAFF#{staff_id}#FLAGS", index="gsi1", sk_gte=since)]


def branch_flags_since(branch_id: str, since: str) -> list[dict]:
    return [_out(i) for i in base.query_all(f"BRANCH#{branch_id}#FLAGS", index="gsi2", sk_gte=since)]


# --- job watermark ---------------------------------------------------------------------------------
def get_watermark(job: str) -> str | None:
    item = base.get_item(**keys.job_watermark(job), consistent=True)
    return item.get("last_date") if item else None


def set_watermark(job: str, last_date: str, at: str) -> None:
    base.update(**keys.job_watermark(job), expression="SET last_date = :d, updated_at = :at",
                values={":d": last_date, ":at": at})
