"""A branch manager's decision on a risk callback, and the overdue sweep's escalations."""

from __future__ import annotations

from datetime import date, datetime

from ... import clock
from ...auth import Principal
from ...config import get_settings
from ...errors import Conflict, NotFound, Unprocessable
from ...models.tasks import OPEN_STATUSES, RISK_TRIGGERS
from .. import daily_sweep, problems
from ..callback_ports import CALLBACK_WORK, TaskChange, TaskChanged
from .access import clean, load, render
from .attempt_rules import content_trigger

SWEEP_JOB = "task-overdue-sweep"


def decide(principal: Principal, task_id: str, body) -> dict:
    """A branch manager's recorded decision closes an unreached risk callback: who, when and why."""
    task = load(task_id)
    if task["branch_id"] != principal.branch_id:
        raise NotFound(f"task {task_id} not found")
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if content_trigger(task) not in RISK_TRIGGERS:
        raise Unprocessable("only risk callbacks are closed by a branch manager's decision")
    now = clock.now()
    decision = {"by": principal.id, "role": principal.role, "at": clock.iso(now), "reason": body.reason}
    new = {
        **task,
        "status": "closed_unreached",
        "completed_at": clock.iso(now),
        "reschedule_at": None,
        "revision": int(task.get("revision", 0)) + 1,
        "outcome": {"reached": False, "reason": "branch_manager_decision", "decision": decision},
    }
    try:
        CALLBACK_WORK().save(TaskChange(clean(new), task))
    except TaskChanged:
        raise Conflict("the task changed meanwhile; reload it and decide again") from None
    if task.get("assignee_id"):
        CALLBACK_WORK().release_load(task["assignee_id"])
    return render(new, now=now)


def sweep_overdue(now: datetime | None = None) -> dict:
    """Flag open tasks whose due day has passed, reading only TASKDUE#<day> buckets after the watermark."""
    now = now or clock.now()
    flagged: list[str] = []
    at = clock.iso(now)

    def read_day(day: date) -> None:
        for task in CALLBACK_WORK().open_tasks_due_on(day.isoformat()):
            if task.get("status") not in OPEN_STATUSES or task.get("overdue_at"):
                continue
            item = None
            if content_trigger(task) in RISK_TRIGGERS and not task.get("unanswered_escalated"):
                # A risk callback not reached by its deadline: a critical escalation for the branch
                # manager, a problem item and its outbox entry written with the overdue flag.
                item = unanswered_risk_problem(task, "large-outflow callback not reached by its deadline", now)
                kind, subject = "risk_callback_unanswered", item
            else:
                kind, subject = "task_overdue", task
            escalation = problems.escalation_op(kind, subject)
            if CALLBACK_WORK().flag_overdue(task, at, problem=item, escalations=[escalation]):
                flagged.append(task["task_id"])
                problems.deliver_escalation(kind, subject)

    days = daily_sweep.sweep_to_yesterday(
        SWEEP_JOB, now, read_day, lookback_hours=get_settings().sweep_initial_lookback_hours
    )
    return {"days_read": days, "flagged": flagged}


def unanswered_risk_problem(task: dict, cause: str, now: datetime) -> dict:
    """The critical problem item of a risk callback not reached by its deadline (overdue, or a wrong number not
    re-established): for the branch manager, written with the change that finds it."""
    return problems.new_record(
        branch_id=task["branch_id"],
        account_id=task["account_id"],
        task_id=task["task_id"],
        source="callback",
        created_by="system",
        category="callback_unanswered",
        severity="critical",
        cause=cause,
        responsible_department="branch manager / head office business management",
        description="",
        now=now,
    )
