"""An agent claims a queue task: the task and the agent's load counter in one write."""

from __future__ import annotations

from ... import clock
from ...auth import Principal
from ...errors import Conflict, NotFound, Unprocessable
from ...models.tasks import OPEN_STATUSES
from ..callback_ports import CALLBACK_WORK, TaskChange, TaskChanged
from .access import clean, ensure_independent, load


def claim(principal: Principal, task_id: str) -> dict:
    task = load(task_id)
    if task["branch_id"] != principal.branch_id:
        raise NotFound(f"task {task_id} not found")
    ensure_independent(principal, task)
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if task.get("assignee_id"):
        raise Conflict(
            "the task was already taken" if task["assignee_id"] != principal.id else "you already hold this task"
        )
    record = {
        **task,
        "assignee_id": principal.id,
        "queue_flag": None,
        "claimed_at": clock.iso(clock.now()),
        "revision": int(task.get("revision", 0)) + 1,
    }
    try:
        CALLBACK_WORK().save(TaskChange(clean(record), task), load=(principal.id, 1))
    except TaskChanged:
        raise Conflict("the task was already taken") from None
    return record
