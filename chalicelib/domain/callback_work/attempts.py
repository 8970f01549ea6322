"""Recording an attempt: the task, the attempt and all it causes in one write; a retry replays."""

from __future__ import annotations

from ... import clock, submission
from ...auth import Principal
from ...errors import Conflict
from ...models.callbacks import AttemptIn
from ...models.common import mask_phone
from ...models.tasks import OPEN_STATUSES
from .. import call_windows, problems
from ..callback_ports import CALLBACK_WORK, AttemptWrite, RequestClose, TaskChange, TaskChanged, TaskHistory
from .access import clean, held, public_attempt, render
from .attempt_rules import EVIDENCE_FIELDS, validate_attempt
from .contacts import contact_request_record, request_of
from .outcomes import apply_attempt, fallback_task


def _replayed_attempt(principal: Principal, found: TaskHistory, attempt_id: str) -> dict | None:
    """The answer to this submission's attempt if `found` (the task's collection, read consistently) already
    holds it (a retry after a lost response)."""
    task, attempts = found.task, found.attempts
    mine = submission.replay_of(next((a for a in attempts if a.get("attempt_id") == attempt_id), None))
    if not task or not mine or mine.get("agent_id") != principal.id:
        return None
    return {
        "task": render(task, now=clock.now()),
        "attempt": mine,
        "fallback_task_id": mine.get("fallback_task_id"),
        "problem_ids": mine.get("problem_ids") or [],
        "escalated": bool(mine.get("escalated")),
    }


def record_attempt(principal: Principal, task_id: str, body: AttemptIn) -> dict:
    attempt_id = submission.record_id("attempt", 12)
    read = None
    if submission.is_keyed():
        # One read: the task's collection tells a retry (its attempt stored) and is the task the write guards.
        collection = CALLBACK_WORK().history(task_id)
        if replayed := _replayed_attempt(principal, collection, attempt_id):
            return replayed
        read = collection.task
    task = held(principal, task_id, read)
    now = clock.now()
    at = body.at.astimezone(clock.SHANGHAI) if body.at else now
    validate_attempt(task, body, at, now)
    new, effects = apply_attempt(task, body, at, now)
    attempt = clean(
        {
            "attempt_id": attempt_id,
            **submission.stamp(),
            "task_id": task_id,
            "agent_id": principal.id,
            "at": clock.iso(at),
            "recorded_at": clock.iso(now),
            "channel": body.channel.value,
            "reached": body.reached,
            "reason": body.reason.value if body.reason else None,
            "call_back_at": clock.iso(body.call_back_at) if body.call_back_at else None,
            **{f: getattr(body, f) for f in EVIDENCE_FIELDS if f != "dialled_number"},
            "dialled_number_masked": mask_phone(body.dialled_number),
            "note": body.note,
            **(new.get("outcome") or {} if body.reached else {}),
        }
    )
    if body.channel.value == "phone":
        # Allowed, and marked: a call outside the task's best-time windows (seed 001 客户回访的最佳时间).
        attempt["outside_call_window"] = call_windows.outside(task, at)
    if body.dialled_number:
        # The number dialled is personal data: sealed in the record, masked in every ordinary view.
        attempt["dialled_number_sealed"] = CALLBACK_WORK().seal_phone(body.dialled_number)
    found = [
        problems.new_record(
            branch_id=task["branch_id"],
            account_id=task["account_id"],
            task_id=task_id,
            source="callback",
            created_by=principal.id,
            now=now,
            **{k: p.get(k) or "" for k in ("category", "cause", "responsible_department", "severity", "description")},
        )
        for p in effects.problems
    ]
    if found:
        new["problem_ids"] = [*(task.get("problem_ids") or []), *(p["problem_id"] for p in found)]
    contact_request = withdraw = None
    if effects.contact_request:
        masked = CALLBACK_WORK().masked_contact(task["account_id"]).phone_masked
        contact_request = clean(contact_request_record(task, new, principal.id, masked))
    if effects.withdraw_request:
        fields = {"closed_at": clock.iso(now), "closed_by_attempt": attempt_id}
        withdraw = RequestClose(request_of(task), "withdrawn", fields)
    fallback = fallback_task(new, now) if effects.fallback else None
    # What a replay of this submission answers (see _replayed_attempt).
    attempt.update(
        clean(
            {
                "fallback_task_id": fallback["task_id"] if fallback else None,
                "problem_ids": [p["problem_id"] for p in found] or None,
                "escalated": effects.escalate or None,
            }
        )
    )
    # A critical finding (an unrecognised change or transfer, seed 000 第五篇) is escalated in the attempt's
    # own transaction: the escalation exists exactly when the attempt does.
    critical = [
        (raw.get("escalation_kind") or "critical_problem", p)
        for p, raw in zip(found, effects.problems, strict=False)
        if p["severity"] == "critical"
    ]
    write = AttemptWrite(
        change=TaskChange(clean(new), task),
        attempt=attempt,
        problems=found,
        escalations=[problems.escalation_op(kind, p) for kind, p in critical],
        contact_request=contact_request,
        withdraw=withdraw,
        fallback=fallback,
    )
    try:
        CALLBACK_WORK().record_attempt(write)
    except TaskChanged:
        if replayed := _replayed_attempt(principal, CALLBACK_WORK().history(task_id), attempt_id):
            return replayed  # our own write was applied; its response was lost
        raise Conflict("the task changed meanwhile; reload it and record the attempt again") from None
    if new["status"] not in OPEN_STATUSES and not fallback:
        CALLBACK_WORK().release_load(principal.id)  # with a fallback the agent keeps one open task: no change
    if effects.mark_contact:
        CALLBACK_WORK().mark_contact_for_update(task["account_id"], clock.iso(now), task_id)
    for kind, p in critical:
        problems.deliver_escalation(kind, p)
    return {
        "task": render(new, now=now),
        "attempt": public_attempt(attempt),
        "fallback_task_id": fallback["task_id"] if fallback else None,
        "problem_ids": [p["problem_id"] for p in found],
        "escalated": effects.escalate,
    }
