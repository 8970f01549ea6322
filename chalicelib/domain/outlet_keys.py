"""Partner outlet API keys: issued, rotated and revoked by admins.

The key (`fdk_<key_id>.<secret>`) is shown once; only a SHA-256 of the secret is
stored, and auth compares it in constant time. Rotation issues a second active key
that names the one it replaces; the outlet switches over, then the old one is
revoked. At most `max_active_keys_per_outlet` keys are active at once.

Closing an outlet revokes its active keys in the same transaction (close_outlet), and auth
also refuses any key of an outlet that is not active, read consistently on every request.
"""

from __future__ import annotations

import secrets

from .. import clock
from ..auth import API_KEY_PREFIX, Principal, hash_api_secret
from ..config import get_settings
from ..errors import Conflict, NotFound, Unavailable, Unprocessable, ValidationFailed
from ..models.outlet_keys import ApiKeyIn
from ..observability import logger
from .directory_ports import (
    DIRECTORY,
    GATEWAY_KEYS,
    OUTLET_KEYS,
    KeyNotActive,
    KeysChanged,
    KeySlotsFull,
    OutletClosed,
    OutletMissing,
    SlotCounterOutOfStep,
)

PUBLIC_FIELDS = ("key_id", "outlet_id", "status", "label", "created_at", "created_by", "replaces", "revoked_at")


def public(record: dict) -> dict:
    return {k: record.get(k) for k in PUBLIC_FIELDS}


def new_key_record(
    outlet: dict, *, key_id: str, secret: str, label: str, by: str | None, replaces: str | None = None
) -> dict:
    return {
        "key_id": key_id,
        "outlet_id": outlet["outlet_id"],
        "branch_id": outlet["branch_id"],
        "secret_hash": hash_api_secret(secret),
        "status": "active",
        "label": label,
        "created_at": clock.iso(clock.now()),
        "created_by": by,
        "replaces": replaces,
    }


def _outlet(outlet_id: str) -> dict:
    outlet = DIRECTORY().get_outlet(outlet_id)
    if not outlet:
        raise NotFound(f"outlet {outlet_id} not found")
    return outlet


def issue(principal: Principal, outlet_id: str, body: ApiKeyIn) -> dict:
    outlet = _outlet(outlet_id)
    if outlet.get("status", "active") != "active":
        raise Unprocessable("a closed outlet gets no API keys")
    if body.replaces:
        old = OUTLET_KEYS().get_key(body.replaces)
        if not old or old["outlet_id"] != outlet_id or old.get("status") != "active":
            raise ValidationFailed.field("replaces", "not an active key of this outlet")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    record = new_key_record(
        outlet, key_id=key_id, secret=secret, label=body.label, by=principal.id, replaces=body.replaces
    )
    limit = get_settings().max_active_keys_per_outlet
    try:
        OUTLET_KEYS().issue(record, limit)
    except OutletClosed:
        raise Unprocessable("a closed outlet gets no API keys") from None
    except KeySlotsFull:
        raise Conflict(f"outlet {outlet_id} already has {limit} active keys; revoke one first") from None
    api_key = f"{API_KEY_PREFIX}{key_id}.{secret}"
    try:
        gateway_key_id = GATEWAY_KEYS().register(outlet_id=outlet_id, key_id=key_id, value=api_key)
    except Unavailable:
        # never leave a key half issued
        OUTLET_KEYS().revoke(key_id, outlet_id, clock.iso(clock.now()), principal.id)
        raise
    if gateway_key_id:
        OUTLET_KEYS().set_gateway_key_id(key_id, gateway_key_id)
    logger.info("outlet key issued", extra={"outlet_id": outlet_id, "key_id": key_id, "by": principal.id})
    return {**public(record), "api_key": api_key}


def list_keys(outlet_id: str) -> list[dict]:
    _outlet(outlet_id)
    return [public(k) for k in OUTLET_KEYS().outlet_keys(outlet_id)]


def revoke(principal: Principal, outlet_id: str, key_id: str) -> dict:
    record = OUTLET_KEYS().get_key(key_id)
    if not record or record["outlet_id"] != outlet_id:
        raise NotFound(f"key {key_id} not found for outlet {outlet_id}")
    if record.get("status") == "active":
        at = clock.iso(clock.now())
        try:
            OUTLET_KEYS().revoke(key_id, outlet_id, at, principal.id)
        except KeyNotActive:
            pass  # revoked concurrently: the outcome is the same
        except SlotCounterOutOfStep:  # the counter disagreed; the key is revoked regardless
            logger.warning("outlet key slot counter out of step", extra={"outlet_id": outlet_id})
            try:
                OUTLET_KEYS().revoke_uncounted(key_id, at, principal.id)
            except KeyNotActive:
                pass  # revoked concurrently: the outcome is the same
        GATEWAY_KEYS().remove(record.get("gateway_key_id"))
        logger.info("outlet key revoked", extra={"outlet_id": outlet_id, "key_id": key_id, "by": principal.id})
    return public(OUTLET_KEYS().get_key(key_id) or record)


CLOSE_ATTEMPTS = 3


def close_outlet(record: dict, by: str) -> None:
    """Write the closed outlet and revoke its active keys in one transaction (storage close_outlet).

    The keys are listed from an index, which can lag: a key revoked meanwhile fails its condition
    and the listing is read again; one it does not show yet is still refused by auth, which checks
    the outlet's status itself. Reopening the outlet does not bring revoked keys back."""
    outlet_id, at = record["outlet_id"], record["updated_at"]
    for attempt in range(CLOSE_ATTEMPTS):
        last = attempt == CLOSE_ATTEMPTS - 1
        # Keys revoked concurrently on every attempt: close anyway; auth refuses what is left.
        active = [] if last else [k for k in OUTLET_KEYS().outlet_keys(outlet_id) if k.get("status") == "active"]
        if last:
            logger.warning(
                "outlet closed without revoking its keys (they kept changing)", extra={"outlet_id": outlet_id}
            )
        try:
            OUTLET_KEYS().close_outlet(record, [k["key_id"] for k in active], at, by)
            break
        except OutletMissing:
            raise NotFound(f"outlet {outlet_id} not found") from None
        except KeysChanged:
            continue  # a listed key was revoked meanwhile: list again
    for key in active:
        GATEWAY_KEYS().remove(key.get("gateway_key_id"))
    logger.info(
        "outlet closed, keys revoked",
        extra={"outlet_id": outlet_id, "key_ids": [k["key_id"] for k in active], "by": by},
    )
