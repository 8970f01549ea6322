"""Who may work a callback task, and how an ordinary view shows one (masked)."""

from __future__ import annotations

from datetime import datetime

from ... import clock
from ...auth import Principal
from ...errors import Forbidden, NotFound
from ...models.common import MARKETING_ROLES, mask_name, mask_phone
from ...models.tasks import OPEN_STATUSES
from .. import call_windows
from ..callback_ports import CALLBACK_WORK

AGENT = "callback_agent"
OVERSIGHT = {"compliance", "admin"}
WAITING_CONTACT = "contact_update"  # task.waiting_on while the branch re-establishes the client's contact


def ensure_independent(principal: Principal, task: dict) -> None:
    """Only callback agents work tasks; marketing staff and the client's own manager never do (001 独立性原则)."""
    if principal.role in MARKETING_ROLES or principal.role != AGENT:
        raise Forbidden("only callback agents work callback tasks")
    if task.get("serving_manager_id") and task["serving_manager_id"] == principal.id:
        raise Forbidden("a client's own serving manager never calls the client back")


def load(task_id: str) -> dict:
    task = CALLBACK_WORK().get_task(task_id)
    if not task:
        raise NotFound(f"task {task_id} not found")
    return task


def held(principal: Principal, task_id: str, task: dict | None = None) -> dict:
    """The task if `principal` holds it; `task` as just read (consistently) by the caller, else read here."""
    task = task or load(task_id)
    if task.get("assignee_id") != principal.id:
        # Another agent's task is not disclosed; a queue task must be claimed first.
        raise NotFound(f"task {task_id} is not one of your tasks")
    ensure_independent(principal, task)
    return task


def is_overdue(task: dict, now: datetime) -> bool:
    if task.get("status") not in OPEN_STATUSES:
        return False
    return bool(task.get("overdue")) or datetime.fromisoformat(task["due_at"]) < now


def render(task: dict, *, phone: str | None = None, now: datetime | None = None) -> dict:
    """An ordinary view of a task: phone and client name masked (the full ones come with the audited reveal).

    `due_now` is false before the client's "call me at T" and while the task waits on a contact update;
    `next_window_at` is the next best-time window (seed 001) open from now (or from T)."""
    now = now or clock.now()
    view = {
        **task,
        "client_name": mask_name(task.get("client_name")),
        "phone_masked": mask_phone(phone) if phone else task.get("phone_masked"),
        "overdue": is_overdue(task, now),
    }
    if task.get("status") in OPEN_STATUSES:
        later = datetime.fromisoformat(task["reschedule_at"]) if task.get("reschedule_at") else None
        view["due_now"] = not task.get("waiting_on") and (later is None or later <= now)
        view["callable_from"] = task.get("reschedule_at") if later and later > now else None
        start = later if later and later > now else call_windows.next_open(task, now)
        view["next_window_at"] = clock.iso(start) if start else None
    return view


def public_attempt(attempt: dict) -> dict:
    """An attempt as ordinary views show it: no sealed values."""
    return {k: v for k, v in attempt.items() if not k.endswith("_sealed")}


def clean(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None}
