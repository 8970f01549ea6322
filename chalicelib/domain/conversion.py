"""Conversion: an account opened for a registered prospect is attributed to its owner.

Called by the account feed when an account is opened, with the lookup hashes of
the client's phone and ID number (one per valid hash key), through `ConversionRepository`
(domain/conversion_ports.py). The month-end
report lists conversions per manager and outlet, and the accounts more than one
manager laid claim to (000 第十三条: the owner plus the managers who collided on
that prospect), for investigation.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from .. import clock
from ..errors import Forbidden
from ..models.prospects import ACTIVE, CONVERTED, ClaimKind
from ..observability import logger
from .conversion_ports import CONVERSIONS, ProspectMovedOn

if TYPE_CHECKING:
    from ..auth import Principal

_RETRIES = 3


def _find_prospect(phone_hashes: list[str | None], id_hashes: list[str | None]) -> dict | None:
    """The prospect claiming the phone or the ID number under any of the hashes given (one per valid hash
    key: during a key rotation an older prospect may be claimed under the old key only until the rehash)."""
    for kind, values in ((ClaimKind.phone, phone_hashes), (ClaimKind.id_number, id_hashes)):
        for value in dict.fromkeys(v for v in values if v):
            holder = CONVERSIONS().claim_holder(kind, value)
            if holder:
                return CONVERSIONS().prospect(holder)
    return None


def claimants_of(prospect: dict, owner_id: str | None) -> list[str]:
    colliders = CONVERSIONS().staff_claimants(prospect["prospect_id"])
    return sorted(colliders | ({owner_id} if owner_id else set()))


def on_account_opened(
    *,
    account_id: str,
    branch_id: str,
    opened_on: date,
    phone_hash: str | None,
    id_hash: str | None,
    serving_manager_id: str | None,
    phone_hashes: list[str] | None = None,
    id_hashes: list[str] | None = None,
) -> dict | None:
    """Mark the prospect with this phone or ID hash converted; return the conversion record or None.

    Idempotent per account: a replayed opening returns the conversion already written.
    A prospect converts once; a second account of the same person is not a new conversion.
    """
    opened = opened_on if isinstance(opened_on, date) else date.fromisoformat(str(opened_on))
    for _ in range(_RETRIES):
        existing = CONVERSIONS().conversion_of(account_id)
        if existing:
            return existing
        prospect = _find_prospect([phone_hash, *(phone_hashes or [])], [id_hash, *(id_hashes or [])])
        if not prospect or prospect["status"] == CONVERTED:
            return None
        owner_id = prospect.get("owner_id") if prospect["status"] == ACTIVE else None
        claimants = claimants_of(prospect, owner_id)
        record = {
            "account_id": account_id,
            "prospect_id": prospect["prospect_id"],
            "branch_id": branch_id,
            "opened_on": opened.isoformat(),
            "converted_on": opened.isoformat(),
            "converted_at": clock.iso(clock.now()),
            "manager_id": owner_id,
            "outlet_id": prospect.get("outlet_id"),
            "serving_manager_id": serving_manager_id,
            "serving_manager_differs": bool(owner_id and serving_manager_id and serving_manager_id != owner_id),
            "claimants": claimants,
            "multi_claimed": len(claimants) > 1,
        }
        updated = {k: v for k, v in prospect.items() if k not in ("protected_until", "released_at")}
        updated.update(
            status=CONVERTED,
            converted_account_id=account_id,
            converted_on=opened.isoformat(),
            version=int(prospect["version"]) + 1,
            updated_at=record["converted_at"],
        )
        try:
            CONVERSIONS().convert(
                updated, expected_version=int(prospect["version"]), record=record, counted_for=owner_id
            )
        except ProspectMovedOn:
            continue  # the prospect moved on or the account was converted concurrently: look again
        logger.info("prospect converted", extra={"account_id": account_id, "prospect_id": prospect["prospect_id"]})
        return {k: v for k, v in record.items() if v is not None}
    return CONVERSIONS().conversion_of(account_id)


def conversion_report(principal: Principal, month: str, branch_id: str | None) -> dict:
    if principal.role != "admin":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors report on their own branch only")
        branch_id = principal.branch_id
    branch_id = branch_id or principal.branch_id
    conversions = CONVERSIONS().conversions_in_month(branch_id, month)
    by_manager = Counter(c["manager_id"] for c in conversions if c.get("manager_id"))
    by_outlet = Counter(c["outlet_id"] for c in conversions if c.get("outlet_id"))
    multi = [
        {
            "account_id": c["account_id"],
            "prospect_id": c["prospect_id"],
            "owner_id": c.get("manager_id"),
            "claimants": list(c.get("claimants") or []),
            "opened_on": c["opened_on"],
        }
        for c in conversions
        if c.get("multi_claimed")
    ]
    return {
        "branch_id": branch_id,
        "month": month,
        "total": len(conversions),
        "by_manager": dict(by_manager),
        "by_outlet": dict(by_outlet),
        "unowned": sum(1 for c in conversions if not c.get("manager_id")),
        "multi_claimed": multi,
    }
