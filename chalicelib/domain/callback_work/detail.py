"""A task's detail (masked) and the audited reveal of the client's phone and name."""

from __future__ import annotations

from ...auth import Principal
from ...errors import Forbidden, NotFound, Unprocessable
from ...models.tasks import OPEN_STATUSES
from .. import disclosure
from ..callback_ports import CALLBACK_WORK, MaskedContact
from .access import AGENT, ensure_independent, held, load, public_attempt, render


def read(principal: Principal, task_id: str) -> dict:
    found = CALLBACK_WORK().history(task_id)
    task, history, reviews = found.task, found.attempts, found.reviews
    if not task:
        raise NotFound(f"task {task_id} not found")
    if principal.role == AGENT:
        in_queue = not task.get("assignee_id") and task["branch_id"] == principal.branch_id
        if task.get("assignee_id") != principal.id and not in_queue:
            raise NotFound(f"task {task_id} not found")
        ensure_independent(principal, task)
    if "phone_masked" in task:
        # Issue 18 §4: the task carries its client's masked phone and flag (kept current by the feed's
        # contact changes and by a wrong number on any of the account's tasks): one request.
        contact = MaskedContact(task["phone_masked"], bool(task.get("contact_needs_update")))
    else:
        contact = CALLBACK_WORK().masked_contact(task["account_id"])  # a task written before it carried one
    view = {**render(task), "phone_masked": contact.phone_masked}
    view.update(
        history=[public_attempt(h) for h in history],
        reviews=reviews,
        contact_needs_update=bool(task.get("contact_needs_update") or contact.contact_needs_update),
    )
    return view


def reveal(principal: Principal, task_id: str) -> dict:
    """The client's phone and name to the agent holding this open task (the purpose is the task itself)."""
    task = load(task_id)
    subject = disclosure.Subject("account", task["account_id"], task["branch_id"])
    purpose = disclosure.Purpose("callback", f"callback task {task_id}")
    requested = ["phone", "client_name"]
    try:
        held(principal, task_id)
        if task["status"] not in OPEN_STATUSES:
            raise Unprocessable("a finished task is read-only")
    except (NotFound, Forbidden, Unprocessable) as err:
        disclosure.record_refusal(principal, subject, purpose, err.message, requested)
        raise
    contact = CALLBACK_WORK().account_contact(task["account_id"])
    if not contact:
        raise NotFound("the task's account is not in the feed yet")
    shown, audit = disclosure.grant(
        principal,
        subject,
        purpose,
        {"phone": contact.phone, "client_name": contact.client_name or task.get("client_name")},
    )
    return {
        "task_id": task_id,
        "account_id": task["account_id"],
        "phone": shown.get("phone"),
        "client_name": shown.get("client_name"),
        "audit_id": audit["audit_id"],
    }
