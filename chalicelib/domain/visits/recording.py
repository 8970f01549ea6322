"""Recording a visit log (DOMAIN 1; seeds 002 第二十条/第三十七条, 000, 004) and uploading its photos.

A manager records what happened; the server sets who and when. The log's write checks, with no read
before it, that its week is not signed off and that the account it names is in the branch (and served by
the manager, so the contact counts toward the client's plan).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ... import clock, submission
from ...config import get_settings
from ...errors import Conflict, PayloadTooLarge, ValidationFailed
from ...models.common import mask_phone
from ...models.pii import normalise_mobile
from ...models.visits import PHOTO_TYPES, PhotoUploadIn, VisitIn
from .. import contact_plan
from ..visit_ports import PHOTOS, SEALER, VISITS, AccountCheck, AccountRefused, VisitExists, WeekSignedOff
from .activity import iso_week

if TYPE_CHECKING:
    from ...auth import Principal


def _visited_at(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=clock.SHANGHAI)


def protect_contact(contact: str | None) -> dict:
    if not contact:
        return {"person_contact_sealed": None, "person_contact_masked": None}
    try:
        normalised = normalise_mobile(contact)
        masked = mask_phone(normalised)
    except ValueError:
        normalised = contact
        masked = contact[:2] + "****" if len(contact) > 4 else "****"
    return {"person_contact_sealed": SEALER().seal(normalised), "person_contact_masked": masked}


def check_photos(principal: Principal, keys_: list[str]) -> None:
    prefix = f"photos/{principal.id}/"
    for i, key in enumerate(keys_):
        if not key.startswith(prefix) or ".." in key:
            raise ValidationFailed.field(f"photo_keys.{i}", "not a photo you uploaded")


def check_next_visit(next_visit: date | None, visited_on: date) -> None:
    if next_visit and next_visit < visited_on:
        raise ValidationFailed.field("next_visit_date", "must not be before the visit")


# --- recording -------------------------------------------------------------------------
def record_visit(principal: Principal, body: VisitIn) -> dict:
    s = get_settings()
    now = clock.now()
    visited_at = _visited_at(body.visited_at)
    if visited_at > now + timedelta(minutes=s.visit_clock_skew_minutes):
        raise ValidationFailed.field("visited_at", "is in the future")
    visited_on = clock.local_date(visited_at)
    late = None
    if visited_on < clock.today() - timedelta(days=s.visit_max_age_days):
        late = f"older than {s.visit_max_age_days} days"
    # A signed-off week (002 第三十七条) is checked by the write itself (no read before it): see below.
    _require_late_reason(body, late)
    check_next_visit(body.next_visit_date, clock.local_date(visited_at))
    if body.outlet_id:
        outlet = VISITS().get_outlet(body.outlet_id)
        if not outlet or outlet["branch_id"] != principal.branch_id:  # another branch's: as unknown
            raise ValidationFailed.field("outlet_id", "unknown outlet in your branch")
    check_photos(principal, body.photo_keys)
    data = body.model_dump(mode="json", exclude={"person_contact", "visited_at", "late_reason"})
    fields = {
        **data,
        **protect_contact(body.person_contact),
        "visit_id": submission.record_id("visit"),
        "manager_id": principal.id,
        "branch_id": principal.branch_id,
        "visited_at": clock.iso(visited_at),
        "recorded_at": clock.iso(now),
        "version": 1,
        **submission.stamp(),
    }

    def as_late(because: str | None) -> dict:
        return {
            **fields,
            "status": "pending_approval" if because else "recorded",
            **({"late_reason": body.late_reason, "late_because": because} if because else {}),
        }

    # Checked by the write itself, not read before it: the week is not signed off (002 第三十七条) unless
    # the log is late by age already, and the account is in the manager's branch; assumed, and checked
    # too, that the manager serves it (the contact then counts toward its plan, 002 第十九条/第二十条).
    check_week, serves = late is None, body.account_id is not None
    record = as_late(late)
    try:
        for _ in range(3):
            try:
                VISITS().put_new_visit(
                    record,
                    contact=contact_plan.contact_of(record) if serves else None,
                    unsigned_week=iso_week(visited_on) if check_week else None,
                    account=AccountCheck(body.account_id, principal.branch_id, principal.id if serves else None)
                    if body.account_id
                    else None,
                )
                return record
            except WeekSignedOff:
                late, check_week = f"week {iso_week(visited_on)} is signed off", False
                _require_late_reason(body, late)
                record = as_late(late)
            except AccountRefused:
                account = VISITS().get_account(body.account_id or "")  # refused: the log names one
                if not account or account.get("branch_id") != principal.branch_id:  # another branch's: as unknown
                    raise ValidationFailed.field("account_id", "unknown account in your branch") from None
                serves = serves_account(account, principal.id)
        raise Conflict("the log could not be written for concurrent changes; retry")
    except VisitExists:
        # The id is this submission's: the write already happened (a lost response, a retried request).
        stored = submission.replay_of(VISITS().get_visit(record["visit_id"], consistent=True))
        if stored is None:
            raise
        return stored


def _require_late_reason(body: VisitIn, late: str | None) -> None:
    if late and not body.late_reason:
        raise ValidationFailed.field(
            "late_reason", f"the visit is {late}: say why, and your supervisor " "approves the log"
        )


def serves_account(account: dict | None, manager_id: str) -> bool:
    """Only the serving manager's contacts count toward the client's contact plan (002 第十九条)."""
    return account is not None and account.get("serving_manager_id") == manager_id


# --- photos -----------------------------------------------------------------------------------
def photo_upload(principal: Principal, body: PhotoUploadIn) -> dict:
    s = get_settings()
    if body.size_bytes > s.photo_max_bytes:
        raise PayloadTooLarge(
            f"photos are limited to {s.photo_max_bytes} bytes",
            details=[{"field": "size_bytes", "message": f"must be at most {s.photo_max_bytes}"}],
        )
    key = f"photos/{principal.id}/{uuid.uuid4().hex}.{PHOTO_TYPES[body.content_type]}"
    post = PHOTOS().upload_form(key, body.content_type, s.photo_max_bytes, s.photo_url_seconds)
    return {
        "photo_key": key,
        "upload_url": post["url"],
        "fields": post["fields"],
        "expires_in": s.photo_url_seconds,
        "max_bytes": s.photo_max_bytes,
    }
