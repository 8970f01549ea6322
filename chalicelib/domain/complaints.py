"""Complaints 投诉: handled by an owner within hours of receipt, or escalated (002 第二十条 §4).

Recorded by a client manager, a supervisor, a callback agent (from a callback task) or a partner outlet
(its API key). The owner is the client's serving manager, else the recording manager, else the one
manager stationed at the recording outlet; a supervisor may reassign. The clock runs from receipt for
`complaint_handle_hours`; a complaint still unresolved when it runs out is escalated to the supervisor
and the branch manager once, through the outbox, in the same transaction as its `escalated` flag
(complaint_escalation.py, the hourly sweep).
Client names are stored sealed and shown masked; nothing here logs content or names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeGuard

from .. import clock, submission
from ..config import get_settings
from ..errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.common import mask_name
from ..models.complaints import PENALTY_RULES, TRANSITIONS, UNRESOLVED, ComplaintIn, TransitionIn
from ..observability import logger
from .complaint_escalation import escalation
from .complaint_ports import COMPLAINTS, ComplaintChanged, ComplaintExists
from .visit_ports import SEALER

if TYPE_CHECKING:
    from ..auth import Principal

SOURCES = {"client_manager": "manager", "supervisor": "supervisor", "callback_agent": "callback", "outlet": "outlet"}
OVERSIGHT = {"compliance", "admin"}


# --- pure rules --------------------------------------------------------------------------------------
def due_at(received: datetime, hours: int) -> datetime:
    """Handled within `hours` of receipt (the clock runs from when the complaint was received)."""
    return received + timedelta(hours=hours)


def received_problem(received: datetime, now: datetime, *, max_age_hours: int, skew_minutes: int) -> str | None:
    """Why a receipt time is refused, or None: not in the future (beyond clock skew), not too old."""
    if received > now + timedelta(minutes=skew_minutes):
        return "cannot be in the future"
    if received < now - timedelta(hours=max_age_hours):
        return f"is more than {max_age_hours} hours ago; record complaints as they arrive"
    return None


def is_overdue(record: dict, now: datetime) -> bool:
    return record["status"] in UNRESOLVED and datetime.fromisoformat(record["due_at"]) <= now


def month_counts(records: list[dict]) -> dict:
    """A manager's complaints received in a month: how many, resolved, resolved in time, escalated, open."""
    return {
        "received": len(records),
        "resolved": sum(1 for r in records if r["status"] == "resolved"),
        "resolved_in_time": sum(1 for r in records if r.get("resolved_in_time")),
        "escalated": sum(1 for r in records if r.get("escalated")),
        "open": sum(1 for r in records if r["status"] in UNRESOLVED),
    }


def view(record: dict, now: datetime | None = None) -> dict:
    """What a caller sees: the client's name masked, the sealed copy never."""
    now = now or clock.now()
    shown = {k: v for k, v in record.items() if k not in ("client_name_sealed", "client_name_masked")}
    return {**shown, "client_name": record.get("client_name_masked"), "overdue": is_overdue(record, now)}


# --- recording ---------------------------------------------------------------------------------------
def create(principal: Principal, body: ComplaintIn) -> dict:
    s = get_settings()
    now = clock.now()
    problem = received_problem(
        body.received_at, now, max_age_hours=s.complaint_received_max_age_hours, skew_minutes=s.visit_clock_skew_minutes
    )
    if problem:
        raise ValidationFailed.field("received_at", problem)
    branch_id = principal.branch_id
    task = None
    if body.task_id:
        if principal.role != "callback_agent":
            raise ValidationFailed.field("task_id", "only a callback agent records a complaint from a callback task")
        task = COMPLAINTS().get_task(body.task_id)
        if not task or task.get("branch_id") != branch_id:
            raise NotFound.reference("task_id", f"task {body.task_id}")
        if body.account_id and body.account_id != task["account_id"]:
            raise ValidationFailed.field("account_id", "does not match the task's account")
    if body.account_id and principal.kind == "outlet":
        raise ValidationFailed.field("account_id", "a partner outlet names the client by client_name")
    account_id = body.account_id or (task or {}).get("account_id")
    account = None
    if account_id:
        account = COMPLAINTS().get_account(account_id)
        if not account or account.get("branch_id") != branch_id:
            # Another branch's account answers exactly like an unknown one (issue 16 §5).
            field = "account_id" if body.account_id else "task_id"
            raise NotFound.reference(field, f"account {account_id}" if body.account_id else f"task {body.task_id}")
    elif not body.client_name:
        raise ValidationFailed.field("client_name", "an account_id or a client_name names the client")

    name = (account or {}).get("client_name") or body.client_name
    at = clock.iso(now)
    due = due_at(body.received_at, s.complaint_handle_hours)
    record = {
        "complaint_id": submission.record_id("complaint"),
        "branch_id": branch_id,
        "account_id": account_id,
        "client_name_masked": mask_name(name),
        "client_name_sealed": SEALER().seal(body.client_name) if body.client_name else None,
        "task_id": body.task_id,
        "outlet_id": principal.id if principal.kind == "outlet" else None,
        "channel": body.channel.value,
        "content": body.content,
        "source": SOURCES[principal.role],
        "recorded_by": principal.id,
        "received_at": clock.iso(body.received_at),
        "created_at": at,
        "owner_id": _default_owner(principal, account),
        "status": "open",
        "due_at": clock.iso(due),
        "escalated": False,
        "revision": 1,
        "history": [{"at": at, "by": principal.id, "to": "open"}],
        **submission.stamp(),
    }
    late = due <= now
    if late:
        # Received long enough ago that the clock has already run out: escalated with the recording.
        record.update(escalated=True, escalated_at=at)
    try:
        COMPLAINTS().create(record, escalation(record) if late else None)
    except ComplaintExists:
        stored = submission.replay_of(COMPLAINTS().get(record["complaint_id"]))  # this submission's earlier write
        if stored is None:
            raise
        record = stored
    logger.info("complaint recorded", extra={"complaint_id": record["complaint_id"], "source": record["source"]})
    return record


def _default_owner(principal: Principal, account: dict | None) -> str | None:
    if account and account.get("serving_manager_id"):
        manager = COMPLAINTS().get_staff(account["serving_manager_id"])
        if _is_branch_manager(manager, account["branch_id"]):
            return manager["staff_id"]
    if principal.role == "client_manager":
        return principal.id
    if principal.kind == "outlet":
        stationed = [
            m["staff_id"]
            for m in COMPLAINTS().branch_managers(principal.branch_id)
            if m.get("status") == "active" and principal.id in (m.get("outlet_ids") or [])
        ]
        if len(stationed) == 1:
            return stationed[0]
    return None  # the supervisor assigns it; the clock runs meanwhile


def _is_branch_manager(staff: dict | None, branch_id: str) -> TypeGuard[dict]:
    return bool(
        staff
        and staff.get("role") == "client_manager"
        and staff.get("status") == "active"
        and staff.get("branch_id") == branch_id
    )


# --- reading -----------------------------------------------------------------------------------------
def _visible(principal: Principal, record: dict) -> bool:
    if principal.role in OVERSIGHT:
        return True
    if principal.role == "supervisor":
        return record["branch_id"] == principal.branch_id
    if principal.role == "client_manager":
        return principal.id in (record.get("owner_id"), record.get("recorded_by"))
    return False


def read(principal: Principal, complaint_id: str) -> dict:
    record = COMPLAINTS().get(complaint_id)
    if not record or not _visible(principal, record):
        raise NotFound(f"complaint {complaint_id} not found")
    return record


def list_complaints(principal: Principal, *, status, overdue, branch_id, month, limit, start_key):
    now = clock.now()

    def keep(i: dict) -> bool:
        return (not status or i["status"] == status) and (overdue is None or is_overdue(i, now) == overdue)

    page_of = {"limit": limit, "start_key": start_key, "keep": keep if status or overdue is not None else None}
    if principal.role == "supervisor":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors see their own branch's complaints only")
        return COMPLAINTS().list_branch(principal.branch_id, month, **page_of)
    if principal.role == "client_manager":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("a manager sees their own complaints only")
        return COMPLAINTS().list_owner(principal.id, month, **page_of)
    if not branch_id:
        raise ValidationFailed.field("query.branch_id", "name the branch whose complaints to list")
    return COMPLAINTS().list_branch(branch_id, month, **page_of)


# --- handling ----------------------------------------------------------------------------------------
def transition(principal: Principal, complaint_id: str, body: TransitionIn) -> dict:
    current = read(principal, complaint_id)
    if principal.role == "client_manager" and current.get("owner_id") != principal.id:
        raise Forbidden("only the complaint's owner or the supervisor handles it")
    if body.to not in TRANSITIONS[current["status"]]:
        raise Unprocessable(f"a {current['status']} complaint cannot move to {body.to}")
    now = clock.now()
    at = clock.iso(now)
    record = {
        **current,
        "status": body.to,
        "history": [*current.get("history", []), {"at": at, "by": principal.id, "to": body.to, "note": body.note}],
    }
    if body.to == "resolved":
        if not body.note:
            raise ValidationFailed.field("note", "closing a complaint needs the resolution")
        record.update(
            resolution=body.note,
            resolved_at=at,
            resolved_by=principal.id,
            resolved_in_time=now <= datetime.fromisoformat(current["due_at"]),
        )
    return _save(current, record)


def reassign(principal: Principal, complaint_id: str, owner_id: str) -> dict:
    current = read(principal, complaint_id)
    if current["status"] not in UNRESOLVED:
        raise Unprocessable("a resolved complaint keeps its owner")
    if not _is_branch_manager(COMPLAINTS().get_staff(owner_id), current["branch_id"]):
        raise NotFound.reference("owner_id", f"client manager {owner_id}")
    at = clock.iso(clock.now())
    record = {
        **current,
        "owner_id": owner_id,
        "history": [*current.get("history", []), {"at": at, "by": principal.id, "owner": owner_id}],
    }
    return _save(current, record)


def link_penalty(principal: Principal, complaint_id: str, penalty_id: str) -> dict:
    current = read(principal, complaint_id)
    penalty = COMPLAINTS().get_penalty(penalty_id)
    if not penalty or penalty.get("branch_id") != current["branch_id"]:
        raise NotFound.reference("penalty_id", f"penalty {penalty_id}")
    if penalty.get("rule_code") not in PENALTY_RULES:
        raise ValidationFailed.field("penalty_id", "a complaint links a CLIENT_COMPLAINT or BANK_COMPLAINT penalty")
    if penalty.get("status") in ("voided", "overturned"):
        raise Unprocessable("a voided or overturned penalty is not linked to a complaint")
    if current.get("penalty_id") == penalty_id:
        return current
    if current.get("penalty_id"):
        raise Conflict("the complaint is already linked to another penalty")
    at = clock.iso(clock.now())
    record = {
        **current,
        "penalty_id": penalty_id,
        "history": [*current.get("history", []), {"at": at, "by": principal.id, "penalty_id": penalty_id}],
    }
    return _save(current, record)


def _save(current: dict, record: dict) -> dict:
    record["revision"] = int(current["revision"]) + 1
    try:
        COMPLAINTS().replace(record, expected_revision=int(current["revision"]))
    except ComplaintChanged:
        raise Conflict("the complaint changed meanwhile; reload and retry") from None
    return record
