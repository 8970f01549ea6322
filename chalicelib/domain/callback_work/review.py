"""Compliance review of completed callbacks."""

from __future__ import annotations

import random
import uuid

from ... import clock
from ...auth import Principal
from ...errors import Conflict, Unprocessable
from ...models.callbacks import ReviewIn
from ..callback_ports import CALLBACK_WORK, TaskChange, TaskChanged
from .access import clean, load


def review(principal: Principal, task_id: str, body: ReviewIn) -> dict:
    task = load(task_id)
    if task["status"] != "done":
        raise Unprocessable("only completed callbacks are reviewed")
    now = clock.iso(clock.now())
    record = {
        "review_id": uuid.uuid4().hex[:12],
        "task_id": task_id,
        "at": now,
        "reviewer_id": principal.id,
        "result": body.result,
        "note": body.note,
    }
    new = {
        **task,
        "review": {"result": body.result, "at": now, "reviewer_id": principal.id},
        "revision": int(task.get("revision", 0)) + 1,
    }
    try:
        CALLBACK_WORK().record_review(TaskChange(clean(new), task), record)
    except TaskChanged:
        raise Conflict("the task changed meanwhile; retry") from None
    return record


def sample(principal: Principal, branch_id: str, month: str, size: int) -> list[dict]:
    """A random sample of the month's completed, not yet reviewed callbacks."""
    done = [
        t for t in CALLBACK_WORK().tasks_of_month(branch_id, month) if t["status"] == "done" and not t.get("review")
    ]
    return random.sample(done, min(size, len(done)))
