"""Intent clients: prospects, claims, follow-ups, collisions, pool picks, conversions.

A prospect item carries a `version`; every state change is a read, a new record and
a put conditional on the version read, so index attributes are always derived from
the whole record here (`_indexes`) and never patched by hand.
"""

from __future__ import annotations

from . import base, keys
from .pii import ID_NUMBER, PHONE, id_hash, phone_hash  # noqa: F401 - re-exported for the domain

NO_DATE = "9999-12-31"  # sorts last in "soonest next follow-up first"


def claim_key(kind: str, value_hash: str) -> dict:
    return keys.claim_phone(value_hash) if kind == PHONE else keys.claim_id_number(value_hash)


# --- prospects ------------------------------------------------------------------------
def _indexes(record: dict) -> dict:
    pid = record["prospect_id"]
    out: dict = {}
    if record["status"] != "pool" and record.get("owner_id"):
        out.update(keys.prospect_owner_index(record["owner_id"], record.get("next_follow_up") or NO_DATE, pid))
    if record["status"] == "pool":
        out.update(keys.prospect_pool_index(record["branch_id"], record["released_at"], pid))
    if record["status"] == "active" and record.get("protected_until"):
        out.update(keys.prospect_lapse_index(record["protected_until"], pid))
    if (
        record["status"] == "active"
        and record.get("owner_id")
        and not int(record.get("follow_up_count") or 0)
        and record.get("first_contact_due")
        and str(record.get("first_contact_escalated_for")) != str(record["first_contact_due"])
    ):
        out.update(keys.prospect_first_contact_index(record["first_contact_due"], pid))
    if record.get("referred_by_outlet"):
        out.update(keys.prospect_outlet_index(record["referred_by_outlet"], record["created_at"], pid))
    return out


def prospect_item(record: dict) -> dict:
    return {**keys.prospect(record["prospect_id"]), **_indexes(record), **record}


def first_contact_due_on(day: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"FIRSTCONTACT#{day}", index="gsi5")]


def get_prospect(prospect_id: str, *, consistent: bool = False) -> dict | None:
    return base.strip_keys(base.get_item(**keys.prospect(prospect_id), consistent=consistent))


def get_claim(kind: str, value_hash: str) -> dict | None:
    return base.strip_keys(base.get_item(**claim_key(kind, value_hash), consistent=True))


def create_prospect(
    record: dict,
    claims: list[tuple[str, str]],
    stats_manager_id: str | None,
    *,
    quota: tuple[str, str, int] | None = None,
) -> None:
    """Claim items first (their order is the index in TransactionCancelled.reasons), then the prospect,
    its month counter and, with `quota` (manager, day, cap), the day's registration attempt last."""
    ops = [
        base.tx_put(
            {
                **claim_key(kind, h),
                "kind": kind,
                "prospect_id": record["prospect_id"],
                "branch_id": record["branch_id"],
                "claimed_at": record["created_at"],
            }
        )
        for kind, h in claims
    ]
    ops.append(base.tx_put(prospect_item(record)))
    if stats_manager_id:
        ops.append(stats_op(stats_manager_id, str(record["registered_on"])[:7], "registered"))
    if quota:
        ops.append(registration_op(*quota))
    base.transact(ops)


def save_prospect(record: dict, expected_version: int, extra_ops: list[dict] | None = None) -> None:
    """Write the new record if nobody changed it since `expected_version` (op index 0)."""
    ops = [
        base.tx_put(
            prospect_item(record), condition="#v = :v", names={"#v": "version"}, values={":v": expected_version}
        )
    ]
    base.transact(ops + list(extra_ops or []))


_QUOTA = {"expression": "ADD attempts :one", "condition": "attribute_not_exists(attempts) OR attempts < :cap"}


def registration_op(manager_id: str, day: str, cap: int) -> dict:
    """`take_registration` as a transaction item (refused once `cap` were made)."""
    return base.tx_update(
        **keys.registration_quota(manager_id, day),
        expression=_QUOTA["expression"],
        values={":one": 1, ":cap": cap},
        condition=_QUOTA["condition"],
    )


def take_registration(manager_id: str, day: str, cap: int) -> bool:
    """Count one registration attempt of the day; False (nothing counted) once `cap` were made."""
    from ..errors import ConditionFailed

    try:
        base.update(
            **keys.registration_quota(manager_id, day),
            expression=_QUOTA["expression"],
            values={":one": 1, ":cap": cap},
            condition=_QUOTA["condition"],
            return_values="NONE",
        )
    except ConditionFailed:
        return False
    return True


def stats_op(manager_id: str, month: str, counter: str) -> dict:
    return base.tx_update(
        **keys.prospect_month_stats(manager_id, month),
        expression="ADD #c :one",
        names={"#c": counter},
        values={":one": 1},
    )


def month_stats(manager_id: str, month: str) -> dict:
    return base.strip_keys(base.get_item(**keys.prospect_month_stats(manager_id, month))) or {}


def list_owned(owner_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"OWNER#{owner_id}#PROSPECTS", index="gsi1", limit=limit, start_key=start_key)


def list_pool(branch_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"BRANCH#{branch_id}#POOL", index="gsi2", limit=limit, start_key=start_key, newest_first=True
    )


def lapsing_on(day) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"LAPSE#{day}", index="gsi3")]


def list_outlet_referrals(outlet_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"OUTLET#{outlet_id}#REFERRALS", index="gsi4", limit=limit, start_key=start_key, newest_first=True
    )


# --- follow-ups --------------------------------------------------------------------------
def follow_up_op(record: dict) -> dict:
    return base.tx_put({**keys.follow_up(record["prospect_id"], record["at"], record["follow_up_id"]), **record})


def get_with_follow_ups(prospect_id: str, limit: int = 20) -> tuple[dict | None, list[dict]]:
    """The prospect and its newest follow-ups in one request: they share the item collection, and
    newest first puts PROFILE ahead of every FOLLOWUP# key."""
    page = base.query(f"PROSPECT#{prospect_id}", limit=limit + 1, newest_first=True, consistent=True)
    items = [base.strip_keys(i) for i in page.items]
    if not page.items or page.items[0]["sk"] != keys.PROFILE:
        return None, []
    return items[0], [i for i, raw in zip(items[1:], page.items[1:], strict=False) if raw["sk"].startswith("FOLLOWUP#")]


# --- pool picks ----------------------------------------------------------------------------
def pool_pick_op(manager_id: str, day, limit: int) -> dict:
    return base.tx_update(
        **keys.pool_picks(manager_id, day),
        expression="SET picks = if_not_exists(picks, :z) + :one",
        condition="attribute_not_exists(picks) OR picks < :limit",
        values={":z": 0, ":one": 1, ":limit": limit},
    )


# --- collisions ----------------------------------------------------------------------------
def put_collision(record: dict) -> None:
    item = {
        **keys.collision(record["collision_id"]),
        **keys.collision_indexes(record["branch_id"], record["prospect_id"], record["at"], record["collision_id"]),
        **record,
    }
    other = record.get("attempted_by_branch")
    if not other or other == record["branch_id"]:
        base.put_new(item)
        return
    # Across branches the attempting branch's supervisor sees that their manager collided, not with whom.
    copy = {
        **keys.collision_for_attempting_branch(record["collision_id"], other, record["at"]),
        **{k: record[k] for k in ("collision_id", "at", "attempted_by", "attempted_by_kind", "source", "matched_on")},
        "branch_id": other,
        "cross_branch": True,
        "prospect_id": None,
    }
    base.transact([base.tx_put(item), base.tx_put(copy)])


def list_branch_collisions(branch_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(
        f"BRANCH#{branch_id}#COLLISIONS", index="gsi2", limit=limit, start_key=start_key, newest_first=True
    )


def collisions_of(prospect_id: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"PROSPECT#{prospect_id}#COLLISIONS", index="gsi1")]


# --- conversions ---------------------------------------------------------------------------
def get_conversion(account_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.conversion(account_id), consistent=True))


def conversion_op(record: dict) -> dict:
    return base.tx_put(
        {
            **keys.conversion(record["account_id"]),
            **keys.conversion_index(record["branch_id"], record["converted_on"], record["account_id"]),
            **record,
        }
    )


def conversions_in_month(branch_id: str, month: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"BRANCH#{branch_id}#CONVERSIONS#{month}", index="gsi2")]
