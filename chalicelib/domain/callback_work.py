"""An agent's day: lists, claims, reveals, attempts; compliance reviews; the overdue sweep.

Rules (DOMAIN 4, seed 001):
- independence: only callback agents work tasks, never marketing staff, never the
  client's own serving manager;
- "call me at T" reschedules; unanswered attempts (no answer, busy) on N different
  working days close the task and open a fallback by letter, email or SMS;
- a wrong number marks the account's contact for update;
- a client who does not recognise a large outflow is escalated at once;
- a finished task is read-only.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import clock, submission
from ..auth import Principal
from ..config import get_settings
from ..errors import ConditionFailed, Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.callbacks import FALLBACK_CHANNELS, UNANSWERED_REASONS, AttemptIn, ReviewIn
from ..models.common import MARKETING_ROLES, mask_phone
from ..models.tasks import OPEN_STATUSES, TaskRecord, Trigger
from ..storage import callback_work as repo
from ..storage import keys
from ..storage import problems as problem_repo
from ..storage.audit import record_reveal
from . import problems, workdays

AGENT = "callback_agent"
OVERSIGHT = {"compliance", "admin"}
INTERACTIVE = {"phone", "visit", "wechat"}   # channels where the client answers the checklist
SWEEP_JOB = "task-overdue-sweep"


# --- who may work a task ---------------------------------------------------------------------


def ensure_independent(principal: Principal, task: dict) -> None:
    """Only callback agents work tasks; marketing staff and the client's own manager never do (001 独立性原则)."""
    if principal.role in MARKETING_ROLES or principal.role != AGENT:
        raise Forbidden("only callback agents work callback tasks")
    if task.get("serving_manager_id") and task["serving_manager_id"] == principal.id:
        raise Forbidden("a client's own serving manager never calls the client back")


def _load(task_id: str) -> dict:
    task = repo.get_task(task_id)
    if not task:
        raise NotFound(f"task {task_id} not found")
    return task


def _held(principal: Principal, task_id: str) -> dict:
    task = _load(task_id)
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
    now = now or clock.now()
    return {**task, "phone_masked": mask_phone(phone), "overdue": is_overdue(task, now)}


# --- lists and claims -----------------------------------------------------------------------------


def my_tasks(principal: Principal, *, limit: int, start_key):
    """Open and in-progress tasks, by due time (overdue ones first, since they fell due earliest), then priority."""
    return repo.list_open_for_agent(principal.id, limit=limit, start_key=start_key)


def queue(principal: Principal, branch_id: str | None, *, limit: int, start_key):
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents see their own branch's queue")
        branch_id = principal.branch_id
    return repo.list_branch_queue(branch_id or principal.branch_id, limit=limit, start_key=start_key)


def claim(principal: Principal, task_id: str) -> dict:
    task = _load(task_id)
    if task["branch_id"] != principal.branch_id:
        raise NotFound(f"task {task_id} not found")
    ensure_independent(principal, task)
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if task.get("assignee_id"):
        raise Conflict("the task was already taken" if task["assignee_id"] != principal.id else
                       "you already hold this task")
    record = {**task, "assignee_id": principal.id, "queue_flag": None, "claimed_at": clock.iso(clock.now()),
              "revision": int(task.get("revision", 0)) + 1}
    try:
        repo.write([repo.task_put_op(_clean(record), task), repo.load_change_op(principal.id, 1)])
    except ConditionFailed:
        raise Conflict("the task was already taken") from None
    return record


def _clean(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None}


# --- a task's detail and the audited reveal -----------------------------------------------------


def read(principal: Principal, task_id: str) -> dict:
    task, history, reviews = repo.task_with_history(task_id)
    if not task:
        raise NotFound(f"task {task_id} not found")
    if principal.role == AGENT:
        in_queue = not task.get("assignee_id") and task["branch_id"] == principal.branch_id
        if task.get("assignee_id") != principal.id and not in_queue:
            raise NotFound(f"task {task_id} not found")
        ensure_independent(principal, task)
    contact = repo.account_masked_contact(task["account_id"])
    view = {**render(task), "phone_masked": contact["phone_masked"]}
    view.update(history=history, reviews=reviews,
                contact_needs_update=bool(task.get("contact_needs_update") or contact.get("contact_needs_update")))
    return view


def reveal(principal: Principal, task_id: str) -> dict:
    task = _held(principal, task_id)
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    contact = repo.account_contact(task["account_id"])
    if not contact:
        raise NotFound("the task's account is not in the feed yet")
    audit = record_reveal(actor_id=principal.id, actor_role=principal.role, subject_kind="account",
                          subject_id=task["account_id"], fields=["phone"], purpose=f"callback task {task_id}",
                          branch_id=task["branch_id"])
    return {"task_id": task_id, "account_id": task["account_id"], "phone": contact.get("phone"),
            "audit_id": audit["audit_id"]}


# --- attempts: pure rules -----------------------------------------------------------------------------


@dataclass
class AttemptEffects:
    fallback: bool = False
    mark_contact: bool = False
    escalate: bool = False
    problems: list[dict] = field(default_factory=list)   # {category, cause, responsible_department, severity, ...}


def validate_attempt(task: dict, body: AttemptIn, at: datetime, now: datetime) -> None:
    """Refuse what the rules refuse, naming the field."""
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if at > now:
        raise ValidationFailed.field("at", "cannot be in the future")
    channel = body.channel.value
    if task["trigger"] == Trigger.fallback.value and channel not in FALLBACK_CHANNELS:
        raise ValidationFailed.field("channel", "a fallback task is worked by letter, email or SMS")
    if body.closing_reason and task["trigger"] != Trigger.closed_account.value:
        raise ValidationFailed.field("closing_reason", "only for closed-account callbacks")
    if not body.reached:
        if body.reason is None:
            raise ValidationFailed.field("reason", "required when the client was not reached")
        if body.reason.value == "call_back_later":
            if body.call_back_at is None:
                raise ValidationFailed.field("call_back_at", "required when the client asks to be called later")
            if body.call_back_at <= at:
                raise ValidationFailed.field("call_back_at", "must be after the attempt")
        elif body.call_back_at is not None:
            raise ValidationFailed.field("call_back_at", "only with reason call_back_later")
        return
    if body.reason is not None:
        raise ValidationFailed.field("reason", "only when the client was not reached")
    if channel == "phone" and not body.recording_ref:
        raise ValidationFailed.field("recording_ref", "a reached phone callback needs its recording reference")
    if channel == "visit" and not body.signature_ref:
        raise ValidationFailed.field("signature_ref", "a visit needs the client's signature reference")
    if channel in INTERACTIVE:
        if body.identity_confirmed is not True:
            raise ValidationFailed.field("identity_confirmed",
                                         "confirm the client's identity; an unverified person is not reached "
                                         "(record reached=false, reason wrong_number)")
        if body.checklist is None:
            raise ValidationFailed.field("checklist", "the regulator's checklist is required when reached")
        if body.satisfaction is None:
            raise ValidationFailed.field("satisfaction", "1-5 is required when reached")
        if task["trigger"] == Trigger.large_outflow.value and body.transfer_recognised is None:
            raise ValidationFailed.field("transfer_recognised", "ask whether the client recognises the transfer")


def apply_attempt(task: dict, body: AttemptIn, at: datetime, now: datetime) -> tuple[dict, AttemptEffects]:
    """The task after this attempt, and what else must happen. No I/O."""
    s = get_settings()
    effects = AttemptEffects()
    new = {**task, "attempts": int(task.get("attempts", 0)) + 1, "revision": int(task.get("revision", 0)) + 1,
           "last_attempt_at": clock.iso(at)}
    if body.reached:
        outcome = {"reached": True, "channel": body.channel.value, "at": clock.iso(at),
                   "identity_confirmed": body.identity_confirmed,
                   "checklist": body.checklist.model_dump() if body.checklist else None,
                   "satisfaction": body.satisfaction, "needs": body.needs, "feedback": body.feedback,
                   "transfer_recognised": body.transfer_recognised,
                   "closing_reason": body.closing_reason.value if body.closing_reason else None}
        new.update(status="done", outcome=_clean(outcome), completed_at=clock.iso(now), reschedule_at=None)
        if task["trigger"] == Trigger.large_outflow.value and body.transfer_recognised is False:
            effects.escalate = True
            effects.problems.append({"category": "account_security", "severity": "critical",
                                     "cause": "client does not recognise a large transfer out",
                                     "responsible_department": "branch manager / head office business management",
                                     "description": body.feedback})
        checklist = body.checklist
        if checklist and not (checklist.no_staff_trading and checklist.no_discretionary_authority):
            effects.problems.append({"category": "staff_misconduct", "severity": "critical",
                                     "cause": "staff traded on the client's behalf or hold discretionary authority",
                                     "responsible_department": "compliance", "description": body.feedback})
        elif checklist and not checklist.risks_disclosed:
            effects.problems.append({"category": "staff_misconduct", "severity": "normal",
                                     "cause": "risks were not disclosed to the client",
                                     "responsible_department": "compliance", "description": body.feedback})
        for p in body.problems:
            effects.problems.append({**p.model_dump(mode="json")})
        return new, effects

    reason = body.reason.value
    new["status"] = "in_progress"
    if reason == "call_back_later":
        new["reschedule_at"] = clock.iso(body.call_back_at)
    elif reason == "wrong_number":
        new["contact_needs_update"] = True
        effects.mark_contact = True
    elif reason == "refused":
        new.update(status="closed_unreached", completed_at=clock.iso(now), reschedule_at=None,
                   outcome={"reached": False, "reason": "refused", "channel": body.channel.value,
                            "at": clock.iso(at)})
    elif reason in UNANSWERED_REASONS:
        day = clock.local_date(at)
        days = list(task.get("attempt_days") or [])
        if workdays.is_workday(day) and day.isoformat() not in days:
            days.append(day.isoformat())
        new["attempt_days"] = days
        if len(days) >= s.fallback_after_unanswered_days and task["trigger"] != Trigger.fallback.value:
            new.update(status="closed_unreached", completed_at=clock.iso(now), reschedule_at=None,
                       outcome={"reached": False, "reason": "unanswered", "unanswered_days": days})
            effects.fallback = True
    return new, effects


def fallback_task(task: dict, now: datetime) -> dict:
    """After N unanswered working days: a letter, email or SMS task for the same agent."""
    s = get_settings()
    today = clock.local_date(now)
    due_on = workdays.add_workdays(today, s.due_fallback_working_days)
    episode = f"{task['trigger']}-{task['episode']}"
    record = TaskRecord(task_id=keys.callback_task_id(Trigger.fallback.value, task["account_id"], episode),
                        trigger=Trigger.fallback, episode=episode, account_id=task["account_id"],
                        branch_id=task["branch_id"], serving_manager_id=task.get("serving_manager_id"),
                        client_name=task.get("client_name"), business_date=today, created_at=clock.iso(now),
                        due_on=due_on, due_at=f"{due_on.isoformat()}T23:59:59+08:00",
                        priority=int(task.get("priority", 5)), risk=bool(task.get("risk")),
                        assignee_id=task.get("assignee_id"), source_task_id=task["task_id"],
                        detail={"channels": list(FALLBACK_CHANNELS), "source_trigger": task["trigger"]})
    return record.model_dump(mode="json", exclude_none=True)


# --- attempts: the write --------------------------------------------------------------------------------


def _replayed_attempt(principal: Principal, task_id: str, attempt_id: str) -> dict | None:
    """The answer to this submission's attempt if it is already stored (a retry after a lost response)."""
    task, attempts, _ = repo.task_with_history(task_id)
    mine = submission.replay_of(next((a for a in attempts if a.get("attempt_id") == attempt_id), None))
    if not task or not mine or mine.get("agent_id") != principal.id:
        return None
    return {"task": render(task, now=clock.now()), "attempt": mine,
            "fallback_task_id": mine.get("fallback_task_id"), "problem_ids": mine.get("problem_ids") or [],
            "escalated": bool(mine.get("escalated"))}


def record_attempt(principal: Principal, task_id: str, body: AttemptIn) -> dict:
    attempt_id = submission.record_id("attempt", 12)
    if submission.current().keyed and (replayed := _replayed_attempt(principal, task_id, attempt_id)):
        return replayed
    task = _held(principal, task_id)
    now = clock.now()
    at = body.at.astimezone(clock.SHANGHAI) if body.at else now
    validate_attempt(task, body, at, now)
    new, effects = apply_attempt(task, body, at, now)
    attempt = _clean({"attempt_id": attempt_id, **submission.stamp(), "task_id": task_id, "agent_id": principal.id,
                      "at": clock.iso(at), "recorded_at": clock.iso(now), "channel": body.channel.value,
                      "reached": body.reached, "reason": body.reason.value if body.reason else None,
                      "call_back_at": clock.iso(body.call_back_at) if body.call_back_at else None,
                      "recording_ref": body.recording_ref, "signature_ref": body.signature_ref,
                      "note": body.note, **(new.get("outcome") or {} if body.reached else {})})
    found = [problems.new_record(branch_id=task["branch_id"], account_id=task["account_id"], task_id=task_id,
                                 source="callback", created_by=principal.id, now=now,
                                 **{k: p.get(k, "") for k in ("category", "cause", "responsible_department",
                                                              "severity", "description")})
             for p in effects.problems]
    if found:
        new["problem_ids"] = [*(task.get("problem_ids") or []), *(p["problem_id"] for p in found)]
    ops = [repo.task_put_op(_clean(new), task), repo.attempt_op(attempt)]
    ops += [problem_repo.new_problem_op(p) for p in found]
    fallback = fallback_task(new, now) if effects.fallback else None
    if fallback:
        ops.append(repo.new_task_op(fallback))
    # What a replay of this submission answers (see _replayed_attempt).
    attempt.update(_clean({"fallback_task_id": fallback["task_id"] if fallback else None,
                           "problem_ids": [p["problem_id"] for p in found] or None,
                           "escalated": effects.escalate or None}))
    ops[1] = repo.attempt_op(attempt)
    try:
        repo.write(ops)
    except ConditionFailed:
        if replayed := _replayed_attempt(principal, task_id, attempt_id):
            return replayed   # our own write was applied; its response was lost
        raise Conflict("the task changed meanwhile; reload it and record the attempt again") from None
    if new["status"] not in OPEN_STATUSES and not fallback:
        repo.release_load(principal.id)   # with a fallback the agent keeps one open task: no change
    if effects.mark_contact:
        repo.mark_contact_for_update(task["account_id"], clock.iso(now), task_id)
    for p in found:
        if p["severity"] == "critical":
            problem_repo.notify_escalation("transfer_not_recognised" if p["category"] == "account_security"
                                           and effects.escalate else "critical_problem", p)
    return {"task": render(new, now=now), "attempt": attempt,
            "fallback_task_id": fallback["task_id"] if fallback else None,
            "problem_ids": [p["problem_id"] for p in found], "escalated": effects.escalate}


# --- compliance review -------------------------------------------------------------------------------------


def review(principal: Principal, task_id: str, body: ReviewIn) -> dict:
    task = _load(task_id)
    if task["status"] != "done":
        raise Unprocessable("only completed callbacks are reviewed")
    now = clock.iso(clock.now())
    record = {"review_id": uuid.uuid4().hex[:12], "task_id": task_id, "at": now, "reviewer_id": principal.id,
              "result": body.result, "note": body.note}
    new = {**task, "review": {"result": body.result, "at": now, "reviewer_id": principal.id},
           "revision": int(task.get("revision", 0)) + 1}
    try:
        repo.write([repo.task_put_op(_clean(new), task), repo.review_op(record)])
    except ConditionFailed:
        raise Conflict("the task changed meanwhile; retry") from None
    return record


def sample(principal: Principal, branch_id: str, month: str, size: int) -> list[dict]:
    """A random sample of the month's completed, not yet reviewed callbacks."""
    done = [t for t in repo.tasks_of_month(branch_id, month) if t["status"] == "done" and not t.get("review")]
    return random.sample(done, min(size, len(done)))


# --- overdue sweep -------------------------------------------------------------------------------------------


def sweep_overdue(now: datetime | None = None) -> dict:
    """Flag open tasks whose due day has passed, reading only TASKDUE#<day> buckets after the watermark."""
    now = now or clock.now()
    last_day = clock.local_date(now) - timedelta(days=1)
    mark = repo.get_watermark(SWEEP_JOB)
    if mark:
        day = datetime.fromisoformat(mark).date() + timedelta(days=1)
    else:
        day = last_day - timedelta(days=max(get_settings().sweep_initial_lookback_hours // 24, 1) - 1)
    flagged, days = [], 0
    at = clock.iso(now)
    while day <= last_day:
        days += 1
        for task in repo.open_tasks_due_on(day.isoformat()):
            if task.get("status") in OPEN_STATUSES and not task.get("overdue_at") and repo.flag_task_overdue(task, at):
                flagged.append(task["task_id"])
                problem_repo.notify_escalation("task_overdue", task)
        day += timedelta(days=1)
    if days:
        repo.set_watermark(SWEEP_JOB, last_day.isoformat(), at)
    return {"days_read": days, "flagged": flagged}
