"""An agent claims a queue task: the task and the agent's load counter in one write; a retry replays."""

from __future__ import annotations

from ... import clock, submission
from ...auth import Principal
from ...errors import Conflict, NotFound, Unprocessable
from ...models.tasks import OPEN_STATUSES
from ..callback_ports import CALLBACK_WORK, TaskChange, TaskChanged
from .access import clean, ensure_independent, load


def claim(principal: Principal, task_id: str) -> dict:
    """The claimed task carries this submission's reference (`claim_ref`): a retried Idempotency-Key (a lost
    response, the same request twice at once) is answered from the task, with nothing written again, so the
    route needs no idempotency record (issue 18 §4: a write with a key in at most 3 requests)."""
    task = load(task_id)
    if task["branch_id"] != principal.branch_id:
        raise NotFound(f"task {task_id} not found")
    ensure_independent(principal, task)
    if _claimed_by_this_submission(task, principal):
        return task
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
        "claim_ref": submission.ref(),
        "revision": int(task.get("revision", 0)) + 1,
    }
    try:
        CALLBACK_WORK().save(TaskChange(clean(record), task), load=(principal.id, 1))
    except TaskChanged:
        now = load(task_id)
        if _claimed_by_this_submission(now, principal):
            return now  # the same submission, sent twice at once: its twin won
        raise Conflict("the task was already taken") from None
    return record


def _claimed_by_this_submission(task: dict, principal: Principal) -> bool:
    return (
        submission.is_keyed() and task.get("assignee_id") == principal.id and task.get("claim_ref") == submission.ref()
    )
