"""A feed event as kept: its parse (one result per raw event), its canonical body and hashes, and what a
second delivery of an event id is (a duplicate of the same event, or a different event under a used id).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ...models.accounts import EVENT_TYPES, event_adapter


def _payload_hash(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


# Fields of an event kept sealed in its stored body, never in clear (PIPL: store the minimum).
SEALED_FIELDS = {"phone": "phone_sealed", "id_number": "id_sealed"}


def _canonical(event) -> dict:
    """The event as parsed, in one form whatever the carrier: the API's JSON ("amount": 600000.0 or
    "600000.00", a time in UTC or +08:00) and the file's text cells give the same body, so the same
    event through both is a duplicate, not a conflict (identity is the event id and this body)."""
    from datetime import datetime
    from enum import Enum

    def plain(value):
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, Enum):
            return value.value
        return value

    return {k: plain(v) for k, v in event.model_dump(exclude_none=True).items()}


def _event_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _stored_body(body: dict, state: dict) -> dict:
    """The event body kept with its record (account history, Securities Law: 20 years); the phone and
    ID number are the sealed values the account holds, never the clear ones."""
    out = {k: v for k, v in body.items() if k not in SEALED_FIELDS}
    for clear, sealed in SEALED_FIELDS.items():
        if clear in body and state.get(sealed):
            out[sealed] = state[sealed]
    return out


def _parse(index: int, raw: Any) -> tuple[Any, dict]:
    """(event, result) where event is None if rejected."""
    event_id = raw.get("event_id") if isinstance(raw, dict) and isinstance(raw.get("event_id"), str) else None
    if not isinstance(raw, dict):
        return None, {
            "index": index,
            "event_id": None,
            "status": "rejected",
            "reason": "not a JSON object",
            "details": [{"field": f"events.{index}", "message": "must be a JSON object"}],
        }
    try:
        return event_adapter().validate_python(raw), {"index": index, "event_id": event_id}
    except ValidationError as err:
        details = []
        for e in err.errors(include_url=False, include_input=False):
            loc = [str(p) for p in e.get("loc", ())]
            if loc and loc[0] in EVENT_TYPES:
                loc = loc[1:]  # the union tag pydantic puts first
            details.append(
                {"field": ".".join(loc) or "type", "message": e.get("msg", "invalid"), "type": e.get("type")}
            )
        return None, {
            "index": index,
            "event_id": event_id,
            "status": "rejected",
            "reason": f"{details[0]['field']}: {details[0]['message']}" if details else "invalid",
            "details": details,
        }


def _duplicate(seen: dict | None, record: dict) -> dict:
    if seen:
        same = (
            seen["event_hash"] == record["event_hash"]
            if seen.get("event_hash")
            else seen.get("payload_hash") == record["payload_hash"]
        )  # a record stored before event_hash
        if not same:
            return {
                "status": "rejected",
                "reason": "event_id already used for a different event",
                "details": [{"field": "event_id", "message": "already used for a different event"}],
            }
    # The same carrier and row as the stored record: this very row, applied before its answer was lost
    # (an import resumed, a write retried): the file counts it as accepted, once.
    own = (
        seen is not None
        and record.get("row") is not None
        and seen.get("source") == record["source"]
        and seen.get("row") == record["row"]
    )
    return {"status": "duplicate", "own": own}
