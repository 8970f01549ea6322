"""Correcting a visit log: logs are never deleted. The author may amend on the day of writing, afterwards
only append correction notes, and nothing once the supervisor has signed the week off (002 第三十七条);
the supervisor decides late logs and signs weeks off."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ... import clock
from ...errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ...models.visits import NoteIn, SignoffIn, VisitPatch
from .. import contact_plan
from ..visit_ports import MAX_NOTES, VISITS, VisitChanged
from .activity import iso_week
from .recording import check_next_visit, check_photos, protect_contact, serves_account

if TYPE_CHECKING:
    from ...auth import Principal


def _own_and_unsigned(principal: Principal, visit_id: str) -> dict:
    record = VISITS().get_visit(visit_id)
    if not record or record["manager_id"] != principal.id:
        raise NotFound("visit log not found")
    week = iso_week(date.fromisoformat(record["visited_at"][:10]))
    if VISITS().get_signoff(record["manager_id"], week):
        raise Unprocessable(f"week {week} has been signed off by your supervisor; the log is read-only")
    return record


def amend_visit(principal: Principal, visit_id: str, patch: VisitPatch) -> dict:
    record = _own_and_unsigned(principal, visit_id)
    if record["recorded_at"][:10] != clock.today().isoformat():
        raise Unprocessable("a log can be amended only on the day it was written; append a correction note")
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "person_contact" in changes:
        changes.update(protect_contact(changes.pop("person_contact")))
    if "photo_keys" in changes:
        check_photos(principal, changes["photo_keys"] or [])
    if "next_visit_date" in changes and changes["next_visit_date"]:
        check_next_visit(date.fromisoformat(changes["next_visit_date"]), date.fromisoformat(record["visited_at"][:10]))
    for required in ("person_met", "discussed", "clients_count"):
        if required in changes and changes[required] is None:
            raise ValidationFailed.field(required, "cannot be removed")
    if not changes:
        raise ValidationFailed.field("body", "no field to amend")
    try:
        return VISITS().amend_visit(
            visit_id,
            changes,
            amended_at=clock.iso(clock.now()),
            expected_version=int(record.get("version", 1)),
            previous=record,
        )
    except VisitChanged:
        raise Conflict("the log changed meanwhile; reload and try again") from None


def add_note(principal: Principal, visit_id: str, body: NoteIn) -> dict:
    record = _own_and_unsigned(principal, visit_id)
    if len(record.get("notes", [])) >= MAX_NOTES:
        raise Unprocessable(f"a log takes at most {MAX_NOTES} correction notes")
    note = {
        "note_id": uuid.uuid4().hex[:12],
        "visit_id": visit_id,
        "text": body.text,
        "author_id": principal.id,
        "at": clock.iso(clock.now()),
    }
    VISITS().add_note(visit_id, note)  # NotesFull (422) if another note filled the log meanwhile
    return note


def decide_late(principal: Principal, visit_id: str, body) -> dict:
    """The supervisor of the manager's branch approves or rejects a late log; nothing is deleted."""
    record = VISITS().get_visit(visit_id, consistent=True)
    if not record or record["branch_id"] != principal.branch_id:
        raise NotFound("visit log not found")
    if record.get("status") != "pending_approval":
        raise Conflict("this log is not waiting for approval")
    approval = {"by": principal.id, "at": clock.iso(clock.now()), "approved": body.approve, "comment": body.comment}
    status = "approved_late" if body.approve else "rejected"
    decided = {**record, "status": status, "approval": approval}
    account = VISITS().get_account(record["account_id"]) if record.get("account_id") else None
    contact = contact_plan.contact_of(decided) if serves_account(account, record["manager_id"]) else None
    try:
        VISITS().decide_late(visit_id, status, approval, contact=contact)
    except VisitChanged:
        raise Conflict("the log was decided meanwhile") from None
    return decided


# --- sign-off ------------------------------------------------------------------------------
def sign_week(principal: Principal, body: SignoffIn) -> dict:
    manager = VISITS().get_staff(body.manager_id)
    if not manager or manager["branch_id"] != principal.branch_id:
        raise Forbidden("you sign off managers of your own branch only")
    if manager["role"] != "client_manager":
        raise ValidationFailed.field("manager_id", "is not a client manager")
    monday = date.fromisocalendar(int(body.week[:4]), int(body.week[6:]), 1)
    if monday + timedelta(days=6) >= clock.today():
        # 002 第三十七条: the supervisor checks the week's logs - a week still running has logs to come.
        raise ValidationFailed.field("week", "can be signed off once it has ended")
    record = {
        "manager_id": body.manager_id,
        "week": body.week,
        "signed_by": principal.id,
        "signed_at": clock.iso(clock.now()),
        "comment": body.comment,
    }
    VISITS().put_signoff(record)  # WeekAlreadySigned (409): a sign-off is never replaced
    return record
