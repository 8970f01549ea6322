"""Issuing and revoking outlet API keys, with at most N active keys per outlet.

Reads go through storage/directory (get_api_key, list_outlet_keys), which auth uses too.
The active-key count is a counter item changed in the same transaction as the key.
"""

from __future__ import annotations

from . import base, directory, keys
from .cache import clear_all as _clear_caches

# TransactWriteItems takes 100 items: the outlet, its slot counter and this many keys.
CLOSE_KEYS_PER_TRANSACTION = 98


def issue(record: dict, max_active: int) -> None:
    """Key item (op 0) plus the outlet's slot counter (op 1, refused when `max_active` keys are active),
    and the outlet still open (op 2): a closure in another container wins over a key issued after it."""
    item = {
        **keys.api_key(record["key_id"]),
        **keys.api_key_indexes(record["outlet_id"], record["created_at"], record["key_id"]),
        **record,
    }
    base.transact(
        [
            base.tx_put(item),
            base.tx_update(
                **keys.outlet_key_slots(record["outlet_id"]),
                expression="SET active = if_not_exists(active, :z) + :one",
                condition="attribute_not_exists(active) OR active < :max",
                values={":z": 0, ":one": 1, ":max": max_active},
            ),
            base.tx_check(
                **keys.outlet(record["outlet_id"]),
                condition="attribute_exists(pk) AND (attribute_not_exists(#s) OR #s = :active)",
                names={"#s": "status"},
                values={":active": "active"},
            ),
        ]
    )


def set_gateway_key_id(key_id: str, gateway_key_id: str) -> None:
    base.update(
        **keys.api_key(key_id),
        expression="SET gateway_key_id = :g",
        values={":g": gateway_key_id},
        return_values="NONE",
    )


def _revoke_op(key_id: str, at: str, by: str) -> dict:
    return base.tx_update(
        **keys.api_key(key_id),
        expression="SET #s = :revoked, revoked_at = :at, revoked_by = :by, " "updated_at = :at",
        condition="#s = :active",
        names={"#s": "status"},
        values={":revoked": "revoked", ":active": "active", ":at": at, ":by": by},
    )


def revoke(key_id: str, outlet_id: str, at: str, by: str) -> None:
    """Key (op 0) and the outlet's slot counter (op 1) together."""
    base.transact(
        [
            _revoke_op(key_id, at, by),
            base.tx_update(
                **keys.outlet_key_slots(outlet_id),
                expression="SET active = if_not_exists(active, :one) - :one",
                condition="attribute_not_exists(active) OR active > :z",
                values={":one": 1, ":z": 0},
            ),
        ]
    )


def revoke_uncounted(key_id: str, at: str, by: str) -> None:
    """Revoke a key the slot counter never counted: revocation must never depend on the counter."""
    base.transact([_revoke_op(key_id, at, by)])


def close_outlet(record: dict, key_ids: list[str], at: str, by: str) -> None:
    """The closed outlet (op 0), its active keys revoked (ops 1..n) and its slot counter emptied (last), in
    one transaction: no moment where the outlet is closed and a key still active. Keys past one
    transaction's size (only demo seeding issues that many) are revoked right after."""
    first, rest = key_ids[:CLOSE_KEYS_PER_TRANSACTION], key_ids[CLOSE_KEYS_PER_TRANSACTION:]
    base.transact(
        [
            base.tx_put(directory.outlet_item(record), condition="attribute_exists(pk)"),
            *(_revoke_op(key_id, at, by) for key_id in first),
            base.tx_update(
                **keys.outlet_key_slots(record["outlet_id"]), expression="SET active = :z", values={":z": 0}
            ),
        ]
    )
    _clear_caches()
    for key_id in rest:
        try:
            revoke_uncounted(key_id, at, by)
        except base.TransactionCancelled:
            pass  # revoked concurrently


def put_key_directly(record: dict) -> None:
    """Demo seeding only: a key with a known id, counted in the outlet's slots."""
    issue(record, max_active=10**6)
