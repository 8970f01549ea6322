"""What an attempt does to its task: the pure outcome rules (no I/O)."""

from __future__ import annotations

from datetime import datetime

from ... import clock
from ...config import get_settings
from ...models.callbacks import EVIDENCE, FALLBACK_CHANNELS, UNANSWERED_REASONS, AttemptIn
from ...models.tasks import OPEN_STATUSES, RISK_TRIGGERS, TaskRecord, Trigger, task_id_of
from .. import workdays
from .access import WAITING_CONTACT, clean
from .attempt_rules import NEGATIVE_ANSWERS, AttemptEffects, content_trigger


def _problem(
    category: str, severity: str, cause: str, department: str, description: str, kind: str | None = None
) -> dict:
    return {
        "category": category,
        "severity": severity,
        "cause": cause,
        "responsible_department": department,
        "description": description,
        "escalation_kind": kind,
    }


def apply_attempt(task: dict, body: AttemptIn, at: datetime, now: datetime) -> tuple[dict, AttemptEffects]:
    """The task after this attempt, and what else must happen. No I/O."""
    s = get_settings()
    effects = AttemptEffects()
    new = {
        **task,
        "attempts": int(task.get("attempts", 0)) + 1,
        "revision": int(task.get("revision", 0)) + 1,
        "last_attempt_at": clock.iso(at),
    }
    if body.reached:
        outcome = {
            "reached": True,
            "channel": body.channel.value,
            "at": clock.iso(at),
            "answered_by": body.answered_by.value if body.answered_by else None,
            "identity_confirmed": body.identity_confirmed,
            "checklist": body.checklist.model_dump() if body.checklist else None,
            "evidence": {
                f: getattr(body, f)
                for f in EVIDENCE[body.channel.value]
                if f != "dialled_number" and getattr(body, f) is not None
            }
            or None,
            "satisfaction": body.satisfaction,
            "needs": body.needs,
            "feedback": body.feedback,
            "transfer_recognised": body.transfer_recognised,
            "closing_reason": body.closing_reason.value if body.closing_reason else None,
        }
        new.update(status="done", outcome=clean(outcome), completed_at=clock.iso(now), reschedule_at=None)
        if content_trigger(task) in RISK_TRIGGERS and body.transfer_recognised is False:
            # seed 001: "如果客户对资产异常变动不认可,工作人员应立即上报营业部经理和总部业务管理部调查处理"
            effects.problems.append(
                _problem(
                    "account_security",
                    "critical",
                    "client does not recognise a large transfer out",
                    "branch manager / head office business management",
                    body.feedback,
                    "transfer_not_recognised",
                )
            )
        if body.checklist:
            answers = body.checklist.model_dump()
            for answer, (category, severity, cause, department, kind) in NEGATIVE_ANSWERS.items():
                if answers[answer] is False:
                    effects.problems.append(_problem(category, severity, cause, department, body.feedback, kind))
        effects.escalate = any(p["escalation_kind"] for p in effects.problems)
        for p in body.problems:
            effects.problems.append({**p.model_dump(mode="json")})
        _stop_waiting(task, new, effects)
        return new, effects
    # attempt_rules.check answered 422 already for an unreached attempt without a reason (or a call back
    # later without its time): these only narrow the types
    assert body.reason is not None
    reason = body.reason.value
    new["status"] = "in_progress"
    if task.get("reschedule_at") and at >= datetime.fromisoformat(task["reschedule_at"]):
        new["reschedule_at"] = None  # the client's "call me at T" was honoured: back to the deadline's place
    risk = content_trigger(task) in RISK_TRIGGERS
    if risk and reason == "refused":
        # A risk callback is never closed unreached by the agent: it stays open and goes to the branch manager.
        _escalate_unanswered(task, new, effects, "the client refused the large-outflow callback")
    elif reason == "call_back_later":
        assert body.call_back_at is not None
        new["reschedule_at"] = clock.iso(body.call_back_at)
    elif reason == "wrong_number":
        # seed 000 第五篇 第十一条(三): "对回访不成功客户要注明原因,并及时反馈至营销中心;并重新确定联系方式" -
        # the task stays open, waiting; the client's branch is asked (once per wait) to re-establish the contact.
        new["contact_needs_update"] = True
        effects.mark_contact = True
        if task.get("waiting_on") != WAITING_CONTACT:
            day = clock.local_date(now)
            new.update(
                waiting_on=WAITING_CONTACT,
                contact_request_at=clock.iso(now),
                contact_request_due_on=workdays.add_workdays(day, s.contact_update_working_days).isoformat(),
            )
            effects.contact_request = True
    elif reason == "refused":
        new.update(
            status="closed_unreached",
            completed_at=clock.iso(now),
            reschedule_at=None,
            outcome={"reached": False, "reason": "refused", "channel": body.channel.value, "at": clock.iso(at)},
        )
    elif reason in UNANSWERED_REASONS:
        day = clock.local_date(at)
        days = list(task.get("attempt_days") or [])
        if workdays.is_workday(day) and day.isoformat() not in days:
            days.append(day.isoformat())
        new["attempt_days"] = days
        if len(days) >= s.fallback_after_unanswered_days and risk:
            # Issue 13 item 4: an unanswered large outflow is never closed by a letter, e-mail or SMS
            # fallback; it stays open (the agent keeps calling) and is a critical escalation at once.
            _escalate_unanswered(
                task, new, effects, f"large-outflow callback unanswered on {len(days)} " "working days"
            )
        elif len(days) >= s.fallback_after_unanswered_days and task["trigger"] != Trigger.fallback.value:
            new.update(
                status="closed_unreached",
                completed_at=clock.iso(now),
                reschedule_at=None,
                outcome={"reached": False, "reason": "unanswered", "unanswered_days": days},
            )
            effects.fallback = True
    if new["status"] not in OPEN_STATUSES:
        _stop_waiting(task, new, effects)
    return new, effects


def _stop_waiting(task: dict, new: dict, effects: AttemptEffects) -> None:
    """A waiting task that is finished (reached, refused) no longer waits: its request is withdrawn."""
    if task.get("waiting_on") == WAITING_CONTACT:
        for k in ("waiting_on", "contact_request_at", "contact_request_due_on"):
            new[k] = None
        effects.withdraw_request = True


def _escalate_unanswered(task: dict, new: dict, effects: AttemptEffects, cause: str) -> None:
    """Once per task: a critical problem item for the branch manager (seed 001: 立即上报营业部经理和总部)."""
    if task.get("unanswered_escalated"):
        return
    new["unanswered_escalated"] = True
    effects.escalate = True
    effects.problems.append(
        _problem(
            "callback_unanswered",
            "critical",
            cause,
            "branch manager / head office business management",
            "",
            "risk_callback_unanswered",
        )
    )


def fallback_task(
    task: dict, now: datetime, channels: tuple[str, ...] = FALLBACK_CHANNELS, reason: str = "unanswered"
) -> dict:
    """After N unanswered working days: a letter, email or SMS task for the same agent (a wrong number
    whose contact was not re-established in time: a letter)."""
    s = get_settings()
    today = clock.local_date(now)
    due_on = workdays.add_workdays(today, s.due_fallback_working_days)
    episode = f"{task['trigger']}-{task['episode']}"
    record = TaskRecord(
        task_id=task_id_of(Trigger.fallback.value, task["account_id"], episode),
        trigger=Trigger.fallback,
        episode=episode,
        account_id=task["account_id"],
        branch_id=task["branch_id"],
        serving_manager_id=task.get("serving_manager_id"),
        client_name=task.get("client_name"),
        phone_masked=task.get("phone_masked"),
        business_date=today,
        created_at=clock.iso(now),
        due_on=due_on,
        due_at=f"{due_on.isoformat()}T23:59:59+08:00",
        priority=int(task.get("priority", 5)),
        risk=bool(task.get("risk")),
        assignee_id=task.get("assignee_id"),
        source_task_id=task["task_id"],
        detail={"channels": list(channels), "source_trigger": task["trigger"], "fallback_reason": reason},
    )
    return record.model_dump(mode="json", exclude_none=True)
