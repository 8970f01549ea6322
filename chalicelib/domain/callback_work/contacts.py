"""Wrong numbers: the branch's contact-update requests, their resume and their deadline sweep."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeGuard

from ... import clock
from ...auth import Principal
from ...config import get_settings
from ...errors import Conflict, Forbidden, ValidationFailed
from ...models.common import mask_name
from ...models.tasks import OPEN_STATUSES, RISK_TRIGGERS, Trigger
from ...observability import logger
from .. import daily_sweep, problems
from ..callback_ports import CALLBACK_WORK, RequestClose, TaskChange, TaskChanged
from .access import WAITING_CONTACT, clean
from .attempt_rules import content_trigger
from .escalation import unanswered_risk_problem
from .outcomes import fallback_task

CONTACT_SWEEP_JOB = "contact-request-sweep"

# Seed 000 第五篇 第十一条(三): "对回访不成功客户要注明原因,并及时反馈至营销中心;并重新确定联系方式".
# A request of its own rather than a problem item: a problem item is a finding routed to a department and
# moved through compliance's transitions to a verifying second callback; this request is closed by the
# core system's feed (a new phone) or by its deadline (a letter), never by a person's transition.

REQUEST_READERS = {"supervisor", "compliance", "admin"}


def contact_requests(principal: Principal, branch_id: str | None, *, limit: int, start_key):
    """A branch's open contact-update requests, earliest deadline first (supervisors: their own branch)."""
    if principal.role == "supervisor":
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors see their own branch's contact requests")
        branch_id = principal.branch_id
    if not branch_id:
        raise ValidationFailed.field("query.branch_id", "is required")
    return CALLBACK_WORK().list_branch_requests(branch_id, limit=limit, start_key=start_key)


def render_contact_request(record: dict, now: datetime | None = None) -> dict:
    today = clock.local_date(now or clock.now()).isoformat()
    return {
        **record,
        "client_name": mask_name(record.get("client_name")),
        "overdue": record.get("status") == "open" and record["due_on"] < today,
    }


def waits_on(task: dict | None, request: dict) -> TypeGuard[dict]:
    return bool(
        task
        and task["status"] in OPEN_STATUSES
        and task.get("waiting_on") == WAITING_CONTACT
        and task.get("contact_request_at") == request["requested_at"]
    )


def resume_after_contact_change(account_id: str, change: dict, retries: int = 3) -> list[str]:
    """The feed brought a new phone: each task waiting on it goes back to its agent, flag cleared, and its
    request is resolved. Idempotent (the outbox may deliver twice): a resolved request is not open."""
    resumed = []
    now = clock.now()
    for request in CALLBACK_WORK().open_requests(account_id):
        for _ in range(retries):
            task = CALLBACK_WORK().get_task(request["task_id"])
            close = RequestClose(
                request,
                "resolved",
                {
                    "closed_at": clock.iso(now),
                    "resolved_by_event": change.get("event_id"),
                    "new_phone_masked": change.get("phone_masked"),
                },
            )
            resume = None
            if waits_on(task, request):
                new = {
                    **task,
                    "waiting_on": None,
                    "contact_needs_update": None,
                    "contact_request_at": None,
                    "contact_request_due_on": None,
                    "contact_updated_at": change.get("changed_at"),
                    "revision": int(task.get("revision", 0)) + 1,
                }
                resume = TaskChange(clean(new), task)
            try:
                CALLBACK_WORK().close_request(close, change=resume)
            except TaskChanged:
                continue  # the agent or the sweep moved the task meanwhile: read it again
            if resume:
                resumed.append(request["task_id"])
            break
        else:
            raise Conflict(f"task {request['task_id']} kept changing; the outbox retries the resume")
    # Every open task of the account shows the new masked phone: a task read takes it from the task.
    CALLBACK_WORK().refresh_contacts(account_id, change.get("phone_masked"))
    return resumed


def sweep_contact_requests(now: datetime | None = None) -> dict:
    """Requests whose deadline day has passed: the callback falls back to a letter (a risk callback is
    escalated instead and stays open: it is never closed by a letter, item 4). Reads only CONTACTDUE#<day>."""
    now = now or clock.now()
    fallbacks: list[str] = []
    escalated: list[str] = []

    def read_day(day: date) -> None:
        for request in CALLBACK_WORK().requests_due_on(day.isoformat()):
            if request.get("status") != "open":
                continue
            outcome = _expire_request(request, now)
            if outcome and outcome[0] == "fallback":
                fallbacks.append(outcome[1])
            elif outcome and outcome[0] == "escalated":
                escalated.append(request["task_id"])

    days = daily_sweep.sweep_to_yesterday(
        CONTACT_SWEEP_JOB, now, read_day, lookback_hours=get_settings().sweep_initial_lookback_hours
    )
    return {"days_read": days, "fallback_task_ids": fallbacks, "escalated": escalated}


def _expire_request(request: dict, now: datetime) -> tuple[str, str] | None:
    at = clock.iso(now)
    for _ in range(3):
        task = CALLBACK_WORK().get_task(request["task_id"])
        fields = {"closed_at": at}
        change, item, fallback, kind = None, None, None, "expired"
        if waits_on(task, request):
            new = {
                **task,
                "waiting_on": None,
                "contact_request_at": None,
                "contact_request_due_on": None,
                "revision": int(task.get("revision", 0)) + 1,
            }
            if content_trigger(task) in RISK_TRIGGERS:
                # Never closed by a letter: it stays open with the agent and goes to the branch manager.
                cause = "wrong number: the contact was not re-established by the deadline of a large-outflow callback"
                item = unanswered_risk_problem(task, cause, now)
                new["problem_ids"] = [*(task.get("problem_ids") or []), item["problem_id"]]
                kind = "escalated"
            elif task["trigger"] != Trigger.fallback.value:
                new.update(
                    status="closed_unreached",
                    completed_at=at,
                    reschedule_at=None,
                    outcome={"reached": False, "reason": "wrong_number", "contact_request_due_on": request["due_on"]},
                )
                fallback = fallback_task(new, now, channels=("letter",), reason="wrong_number")
                fields["fallback_task_id"] = fallback["task_id"]
                kind = "fallback"
            change = TaskChange(clean(new), task)
        escalations = [problems.escalation_op("risk_callback_unanswered", item)] if item else []
        try:
            CALLBACK_WORK().close_request(
                RequestClose(request, "expired", fields),
                change=change,
                problem=item,
                escalations=escalations,
                fallback=fallback,
            )
        except TaskChanged:
            continue
        if item:
            problems.deliver_escalation("risk_callback_unanswered", item)
        return (kind, fallback["task_id"]) if fallback else (kind, request["task_id"])
    logger.warning("contact request not expired: its task kept changing", extra={"task_id": request["task_id"]})
    return None


def contact_request_record(task: dict, new: dict, principal_id: str, phone_masked: str | None) -> dict:
    """What the client's branch is asked: re-establish this client's contact by the deadline."""
    return {
        "account_id": task["account_id"],
        "task_id": task["task_id"],
        "branch_id": task["branch_id"],
        "trigger": task["trigger"],
        "client_name": task.get("client_name"),
        "status": "open",
        "reason": "wrong_number",
        "requested_at": new["contact_request_at"],
        "requested_by": principal_id,
        "due_on": new["contact_request_due_on"],
        "phone_masked": phone_masked,
    }


def request_of(task: dict) -> dict:
    """The key fields of the task's open contact request."""
    return {"account_id": task["account_id"], "requested_at": task["contact_request_at"], "task_id": task["task_id"]}
