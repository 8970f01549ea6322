"""Visit and work log rules (DOMAIN 1; seeds 002 第二十条/第三十七条, 000, 004).

A manager records what happened; the server sets who and when. Logs are never
deleted: the author may amend on the day of writing, afterwards only append
correction notes, and nothing once the supervisor has signed the week off.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from .. import clock, submission
from ..auth import Principal, cached_staff
from ..config import get_settings
from ..errors import ConditionFailed, Conflict, Forbidden, NotFound, PayloadTooLarge, Unprocessable, ValidationFailed
from ..models.common import mask_phone
from ..models.pii import normalise_mobile
from ..models.visits import (
    OUTING_KINDS,
    PHONE_KINDS,
    PHOTO_TYPES,
    ActivityQuery,
    NoteIn,
    PhotoUploadIn,
    SignoffIn,
    VisitIn,
    VisitPatch,
    VisitQuery,
)
from ..storage import accounts as account_repo
from ..storage import directory, photos, pii
from ..storage import visits as repo
from . import contact_plan, disclosure, leave, workdays


def group_outings(logs: list[dict], window_hours: float) -> list[list[dict]]:
    """A day's outing logs grouped into outings: a log joins the outing of the same unit or outlet,
    or one whose last log was within `window_hours` (a trip out covers several clients, logged one by one)."""
    outings: list[list[dict]] = []
    for log in sorted(logs, key=lambda v: v["visited_at"]):
        at = datetime.fromisoformat(log["visited_at"])
        place = log.get("outlet_id") or log.get("unit_name")
        for outing in outings:
            last = datetime.fromisoformat(outing[-1]["visited_at"])
            same_place = place and place in {v.get("outlet_id") or v.get("unit_name") for v in outing}
            if same_place or (at - last).total_seconds() <= window_hours * 3600:
                outing.append(log)
                break
        else:
            outings.append([log])
    return outings


iso_week = clock.iso_week


def visit_days_required(quota: int, working_days: int, leave_days: Decimal) -> int:
    """ "三天出访" in a week, less in proportion to the working days on approved leave (rounded up):
    3 of 5 working days; one day's leave: 3 of 4 (2.4 up); three days': 2 (1.2 up); all five: 0.
    A week without leave needs the quota whatever its working days (as before leave existed)."""
    if not leave_days:
        return quota
    if working_days <= 0 or leave_days >= working_days:
        return 0
    return math.ceil(Decimal(quota) * (Decimal(working_days) - leave_days) / Decimal(working_days))


def _visited_at(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=clock.SHANGHAI)


def _protect_contact(contact: str | None) -> dict:
    if not contact:
        return {"person_contact_sealed": None, "person_contact_masked": None}
    try:
        normalised = normalise_mobile(contact)
        masked = mask_phone(normalised)
    except ValueError:
        normalised = contact
        masked = contact[:2] + "****" if len(contact) > 4 else "****"
    return {"person_contact_sealed": pii.seal(normalised), "person_contact_masked": masked}


def _check_photos(principal: Principal, keys_: list[str]) -> None:
    prefix = f"photos/{principal.id}/"
    for i, key in enumerate(keys_):
        if not key.startswith(prefix) or ".." in key:
            raise ValidationFailed.field(f"photo_keys.{i}", "not a photo you uploaded")


def _check_next_visit(next_visit: date | None, visited_on: date) -> None:
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
    _check_next_visit(body.next_visit_date, clock.local_date(visited_at))
    if body.outlet_id:
        outlet = directory.get_outlet(body.outlet_id)
        if not outlet or outlet["branch_id"] != principal.branch_id:  # another branch's: as unknown
            raise ValidationFailed.field("outlet_id", "unknown outlet in your branch")
    _check_photos(principal, body.photo_keys)
    data = body.model_dump(mode="json", exclude={"person_contact", "visited_at", "late_reason"})
    fields = {
        **data,
        **_protect_contact(body.person_contact),
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
                repo.put_new_visit(
                    record,
                    also=contact_plan.contact_ops(record) if serves else (),
                    unsigned_week=iso_week(visited_on) if check_week else None,
                    account=(body.account_id, principal.branch_id, principal.id if serves else None)
                    if body.account_id
                    else None,
                )
                return record
            except repo.WeekSignedOff:
                late, check_week = f"week {iso_week(visited_on)} is signed off", False
                _require_late_reason(body, late)
                record = as_late(late)
            except repo.AccountRefused:
                account = account_repo.get_account(body.account_id)
                if not account or account.get("branch_id") != principal.branch_id:  # another branch's: as unknown
                    raise ValidationFailed.field("account_id", "unknown account in your branch") from None
                serves = _serves(account, principal.id)
        raise Conflict("the log could not be written for concurrent changes; retry")
    except ConditionFailed:
        # The id is this submission's: the write already happened (a lost response, a retried request).
        stored = submission.replay_of(repo.get_visit(record["visit_id"], consistent=True))
        if stored is None:
            raise
        return stored


def _require_late_reason(body: VisitIn, late: str | None) -> None:
    if late and not body.late_reason:
        raise ValidationFailed.field(
            "late_reason", f"the visit is {late}: say why, and your supervisor " "approves the log"
        )


def _serves(account: dict | None, manager_id: str) -> bool:
    """Only the serving manager's contacts count toward the client's contact plan (002 第十九条)."""
    return bool(account) and account.get("serving_manager_id") == manager_id


# --- reading ---------------------------------------------------------------------------
def _readable(principal: Principal, record: dict | None) -> dict:
    if record and (
        record["manager_id"] == principal.id
        or (principal.role == "supervisor" and record["branch_id"] == principal.branch_id)
        or principal.role == "compliance"
    ):
        return record
    raise NotFound("visit log not found")


def read_visit(principal: Principal, visit_id: str) -> dict:
    record = _readable(principal, repo.get_visit(visit_id))
    seconds = get_settings().photo_url_seconds
    return {
        **record,
        "notes": record.get("notes", []),
        "photo_urls": [photos.presign_read(k, seconds) for k in record.get("photo_keys", [])],
    }


def reveal_contact(principal: Principal, visit_id: str, body) -> dict:
    """The met person's full contact to the manager who logged the visit, or to compliance with a case.

    A supervisor reads the log (masked) to sign it off; following the contact up is the manager's work.
    """
    record = repo.get_visit(visit_id)
    if not record:
        raise NotFound("visit log not found")
    subject = disclosure.Subject("visit", visit_id, record["branch_id"])
    purpose = disclosure.Purpose.of(body)
    try:
        _readable(principal, record)
    except NotFound:
        disclosure.record_refusal(principal, subject, purpose, "not the caller's visit log", ["person_contact"])
        raise
    if principal.role == "compliance":
        if purpose.code != "compliance_case":
            disclosure.refuse(
                principal,
                subject,
                purpose,
                "compliance reveals name their case " "(purpose compliance_case with case_ref)",
                ["person_contact"],
            )
    elif record["manager_id"] != principal.id:
        disclosure.refuse(
            principal,
            subject,
            purpose,
            "only the manager who logged the visit may reveal " "the contact",
            ["person_contact"],
        )
    shown, audit = disclosure.grant(
        principal, subject, purpose, {"person_contact": pii.unseal(record.get("person_contact_sealed"))}
    )
    return {"visit_id": visit_id, "person_contact": shown.get("person_contact"), "audit_id": audit["audit_id"]}


def visit_versions(principal: Principal, visit_id: str) -> dict:
    """How the log read before each same-day amendment (the amended log itself is `read_visit`)."""
    _readable(principal, repo.get_visit(visit_id))
    return {"visit_id": visit_id, "versions": repo.visit_versions(visit_id)}


def _range(query_from: date | None, query_to: date | None) -> tuple[str, str]:
    end = query_to or clock.today()
    start = query_from or end - timedelta(days=30)
    return start.isoformat(), f"{end.isoformat()}T~"  # "~" sorts after any time and offset


def _manager_in_scope(principal: Principal, manager_id: str) -> None:
    if principal.role == "client_manager":
        if manager_id != principal.id:
            raise Forbidden("client managers list their own logs only")
        return
    if principal.role != "supervisor":
        return  # compliance reads any branch's logs
    staff = cached_staff(manager_id)  # the principal cache's copy: a read scope check costs no request
    if not staff or staff["branch_id"] != principal.branch_id:
        raise Forbidden("that manager is not in your branch")


def list_visits(principal: Principal, query: VisitQuery, start_key):
    start, end = _range(query.date_from, query.date_to)
    manager_id = query.manager_id or (principal.id if principal.role == "client_manager" else None)
    if manager_id:
        _manager_in_scope(principal, manager_id)
        return repo.list_manager_visits(manager_id, start, end, limit=query.limit, start_key=start_key)
    if principal.role != "supervisor":
        raise ValidationFailed.field("query.manager_id", "is required")
    return repo.list_branch_visits(principal.branch_id, start, end, limit=query.limit, start_key=start_key)


# --- corrections -------------------------------------------------------------------------
def _own_and_unsigned(principal: Principal, visit_id: str) -> dict:
    record = repo.get_visit(visit_id)
    if not record or record["manager_id"] != principal.id:
        raise NotFound("visit log not found")
    week = iso_week(date.fromisoformat(record["visited_at"][:10]))
    if repo.get_signoff(record["manager_id"], week):
        raise Unprocessable(f"week {week} has been signed off by your supervisor; the log is read-only")
    return record


def amend_visit(principal: Principal, visit_id: str, patch: VisitPatch) -> dict:
    record = _own_and_unsigned(principal, visit_id)
    if record["recorded_at"][:10] != clock.today().isoformat():
        raise Unprocessable("a log can be amended only on the day it was written; append a correction note")
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "person_contact" in changes:
        changes.update(_protect_contact(changes.pop("person_contact")))
    if "photo_keys" in changes:
        _check_photos(principal, changes["photo_keys"] or [])
    if "next_visit_date" in changes and changes["next_visit_date"]:
        _check_next_visit(date.fromisoformat(changes["next_visit_date"]), date.fromisoformat(record["visited_at"][:10]))
    for required in ("person_met", "discussed", "clients_count"):
        if required in changes and changes[required] is None:
            raise ValidationFailed.field(required, "cannot be removed")
    if not changes:
        raise ValidationFailed.field("body", "no field to amend")
    try:
        return repo.amend_visit(
            visit_id,
            changes,
            amended_at=clock.iso(clock.now()),
            expected_version=int(record.get("version", 1)),
            previous=record,
        )
    except ConditionFailed:
        raise Conflict("the log changed meanwhile; reload and try again") from None


def add_note(principal: Principal, visit_id: str, body: NoteIn) -> dict:
    record = _own_and_unsigned(principal, visit_id)
    if len(record.get("notes", [])) >= repo.MAX_NOTES:
        raise Unprocessable(f"a log takes at most {repo.MAX_NOTES} correction notes")
    note = {
        "note_id": uuid.uuid4().hex[:12],
        "visit_id": visit_id,
        "text": body.text,
        "author_id": principal.id,
        "at": clock.iso(clock.now()),
    }
    try:
        repo.add_note(visit_id, note)
    except ConditionFailed:
        raise Unprocessable(f"a log takes at most {repo.MAX_NOTES} correction notes") from None
    return note


NOT_COUNTED = {"pending_approval", "rejected"}  # logs the quotas do not count (yet)


def decide_late(principal: Principal, visit_id: str, body) -> dict:
    """The supervisor of the manager's branch approves or rejects a late log; nothing is deleted."""
    record = repo.get_visit(visit_id, consistent=True)
    if not record or record["branch_id"] != principal.branch_id:
        raise NotFound("visit log not found")
    if record.get("status") != "pending_approval":
        raise Conflict("this log is not waiting for approval")
    approval = {"by": principal.id, "at": clock.iso(clock.now()), "approved": body.approve, "comment": body.comment}
    status = "approved_late" if body.approve else "rejected"
    decided = {**record, "status": status, "approval": approval}
    account = account_repo.get_account(record["account_id"]) if record.get("account_id") else None
    also = contact_plan.contact_ops(decided) if _serves(account, record["manager_id"]) else []
    try:
        repo.decide_late(visit_id, status, approval, also=also)
    except ConditionFailed:
        raise Conflict("the log was decided meanwhile") from None
    return decided


# --- sign-off ------------------------------------------------------------------------------
def sign_week(principal: Principal, body: SignoffIn) -> dict:
    manager = directory.get_staff(body.manager_id)
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
    try:
        repo.put_signoff(record)
    except ConditionFailed:
        raise Conflict(f"week {body.week} is already signed off") from None
    return record


# --- photos -----------------------------------------------------------------------------------
def photo_upload(principal: Principal, body: PhotoUploadIn) -> dict:
    s = get_settings()
    if body.size_bytes > s.photo_max_bytes:
        raise PayloadTooLarge(
            f"photos are limited to {s.photo_max_bytes} bytes",
            details=[{"field": "size_bytes", "message": f"must be at most {s.photo_max_bytes}"}],
        )
    key = f"photos/{principal.id}/{uuid.uuid4().hex}.{PHOTO_TYPES[body.content_type]}"
    post = photos.presign_upload(key, body.content_type, s.photo_max_bytes, s.photo_url_seconds)
    return {
        "photo_key": key,
        "upload_url": post["url"],
        "fields": post["fields"],
        "expires_in": s.photo_url_seconds,
        "max_bytes": s.photo_max_bytes,
    }


# --- activity against the quotas -----------------------------------------------------------------
def activity(principal: Principal, query: ActivityQuery) -> dict:
    manager_id = query.manager_id or principal.id
    _manager_in_scope(principal, manager_id)
    return activity_summary(manager_id, query.date_from, query.date_to)


def activity_summary(manager_id: str, start: date, end: date) -> dict:
    """Daily and weekly quantities against the quotas of 002 第二十条. Also used by scorecards."""
    s = get_settings()
    visits = [
        v
        for v in repo.all_manager_visits(manager_id, start.isoformat(), f"{end.isoformat()}T~")
        if v.get("status") not in NOT_COUNTED
    ]
    # Approved leave is not held against the manager (000 第一篇 第四条): a day on leave needs no contacts,
    # half a day half of them; a week needs visit days in proportion to its working days not on leave.
    on_leave = leave.days_on_leave(manager_id, start, end)
    by_day: dict[str, list[dict]] = {}
    for v in visits:
        by_day.setdefault(v["visited_at"][:10], []).append(v)
    days, weeks = [], {}
    day = start
    while day <= end:
        logs = by_day.get(day.isoformat(), [])
        outings = group_outings([v for v in logs if v["kind"] in OUTING_KINDS], s.outing_window_hours)
        clients = [sum(int(v.get("clients_count", 0)) for v in outing) for outing in outings]
        working = workdays.is_workday(day)
        phone = sum(1 for v in logs if v["kind"] in PHONE_KINDS)
        away = on_leave.get(day, Decimal(0)) if working else Decimal(0)
        phone_required = math.ceil(s.quota_phone_contacts_per_day * (1 - away)) if working else 0
        days.append(
            {
                "date": day,
                "working_day": working,
                "phone_contacts": phone,
                "visits": len(logs),
                "outings": len(outings),
                "clients_on_outings": sum(clients),
                "leave": str(away) if away else None,
                "phone_contacts_required": phone_required,
                "phone_quota_met": phone >= phone_required,
                "outing_quota_met": all(c >= s.quota_clients_per_outing for c in clients),
                "outings_below_client_quota": sum(1 for c in clients if c < s.quota_clients_per_outing),
            }
        )
        week = weeks.setdefault(
            iso_week(day),
            {"week": iso_week(day), "visit_days": 0, "visit_dates": [], "working_days": 0, "leave_days": Decimal(0)},
        )
        if working:
            week["working_days"] += 1
            week["leave_days"] += away
        if outings:  # "三天出访": days out visiting; an outlet shift is not a visit
            week["visit_days"] += 1
            week["visit_dates"].append(day)
        day += timedelta(days=1)
    for week in weeks.values():
        week["visit_days_required"] = visit_days_required(
            s.quota_visit_days_per_week, week["working_days"], week["leave_days"]
        )
        week["visit_days_quota_met"] = week["visit_days"] >= week["visit_days_required"]
        week["leave_days"] = str(week["leave_days"])
    working_days = [d for d in days if d["working_day"]]
    totals = {
        "phone_contacts": sum(d["phone_contacts"] for d in days),
        "visits": sum(d["visits"] for d in days),
        "outings": sum(d["outings"] for d in days),
        "clients_on_outings": sum(d["clients_on_outings"] for d in days),
        "working_days": len(working_days),
        "working_days_phone_quota_met": sum(d["phone_quota_met"] for d in working_days),
        "outings_below_client_quota": sum(d["outings_below_client_quota"] for d in days),
        "leave_days": str(sum(on_leave.values(), Decimal(0))),
    }
    return {
        "manager_id": manager_id,
        "date_from": start,
        "date_to": end,
        "days": days,
        "weeks": list(weeks.values()),
        "totals": totals,
        "quotas": {
            "phone_contacts_per_day": s.quota_phone_contacts_per_day,
            "clients_per_outing": s.quota_clients_per_outing,
            "visit_days_per_week": s.quota_visit_days_per_week,
        },
    }
