"""An agent's day: lists, claims, reveals, attempts; compliance reviews; the overdue sweep.

Rules (DOMAIN 4, seed 001):
- independence: only callback agents work tasks, never marketing staff, never the
  client's own serving manager;
- "call me at T" reschedules; unanswered attempts (no answer, busy) on N different
  working days close the task and open a fallback by letter, email or SMS;
- a wrong number leaves the task open, waiting on a contact update: a request goes to the client's
  branch (its supervisor lists it, with a deadline); a new phone from the feed resumes the task; past the
  deadline it falls back to a letter (seed 000 第五篇 第十一条(三));
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
from ..models.callbacks import EVIDENCE, FALLBACK_CHANNELS, INTERACTIVE, UNANSWERED_REASONS, AttemptIn, ReviewIn
from ..models.common import MARKETING_ROLES, mask_name, mask_phone
from ..models.tasks import OPEN_STATUSES, RISK_TRIGGERS, TaskRecord, Trigger
from ..observability import logger
from ..storage import callback_work as repo
from ..storage import keys
from ..storage import problems as problem_repo
from . import call_windows, disclosure, problems, workdays

AGENT = "callback_agent"
OVERSIGHT = {"compliance", "admin"}
SWEEP_JOB = "task-overdue-sweep"
CONTACT_SWEEP_JOB = "contact-request-sweep"
WAITING_CONTACT = "contact_update"  # task.waiting_on while the branch re-establishes the client's contact


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


# --- lists and claims -----------------------------------------------------------------------------


def my_tasks(principal: Principal, *, limit: int, start_key):
    """Open and in-progress tasks in the agent's order (issue 13 item 8): risk first, then the deadline (a
    client's "call me at T" in its place), then the next best-time window, then priority; tasks waiting on
    a contact update last. The order is the index's sort key (storage/tasks.queue_order): one query a page."""
    return _with_masked_phones(repo.list_open_for_agent(principal.id, limit=limit, start_key=start_key))


def _with_masked_phones(page):
    """Task records carry no phone; a list shows each account's masked one (issue 20 §3), read in one batch."""
    phones = repo.masked_phones([t["account_id"] for t in page.items]) if page.items else {}
    for task in page.items:
        task["phone_masked"] = phones.get(task["account_id"])
    return page


def queue(principal: Principal, branch_id: str | None, *, limit: int, start_key):
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents see their own branch's queue")
        branch_id = principal.branch_id
    return _with_masked_phones(
        repo.list_branch_queue(branch_id or principal.branch_id, limit=limit, start_key=start_key)
    )


def board(principal: Principal, branch_id: str | None) -> dict:
    """The callback centre's board (issue 20 §1): a branch's open tasks by holder (each agent, and the
    unassigned queue) and trigger, with those due today and overdue, and each agent's workload. Counts
    only: no client is named. Agents see their own branch."""
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents see their own branch's board")
    branch = branch_id or principal.branch_id
    now = clock.now()
    today = clock.today().isoformat()
    agents = sorted(
        (a for a in repo.callback_agents() if a.get("branch_id") == branch and a.get("status") == "active"),
        key=lambda a: a["staff_id"],
    )
    holders = [(a["staff_id"], a.get("name", ""), repo.open_tasks_of_agent(a["staff_id"])) for a in agents]
    holders.append((None, "", repo.branch_queue_all(branch)))

    def late(task: dict) -> bool:
        return bool(task.get("overdue")) or datetime.fromisoformat(task["due_at"]) < now

    rows, workload = [], []
    for holder, name, tasks in holders:
        tasks = [t for t in tasks if t.get("status") in OPEN_STATUSES and t.get("branch_id") == branch]
        by_trigger: dict[str, dict] = {}
        for t in tasks:
            row = by_trigger.setdefault(
                t["trigger"],
                {"assignee_id": holder, "name": name, "trigger": t["trigger"], "open": 0, "due_today": 0, "overdue": 0},
            )
            row["open"] += 1
            row["due_today"] += t.get("due_on") == today
            row["overdue"] += late(t)
        rows.extend(by_trigger[k] for k in sorted(by_trigger))
        workload.append(
            {
                "assignee_id": holder,
                "name": name,
                "open": len(tasks),
                "due_today": sum(t.get("due_on") == today for t in tasks),
                "overdue": sum(late(t) for t in tasks),
                "risk": sum(bool(t.get("risk")) for t in tasks),
            }
        )
    return {"branch_id": branch, "as_of": clock.iso(now), "today": today, "rows": rows, "workload": workload}


def claim(principal: Principal, task_id: str) -> dict:
    task = _load(task_id)
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
    view.update(
        history=[public_attempt(h) for h in history],
        reviews=reviews,
        contact_needs_update=bool(task.get("contact_needs_update") or contact.get("contact_needs_update")),
    )
    return view


def reveal(principal: Principal, task_id: str) -> dict:
    """The client's phone and name to the agent holding this open task (the purpose is the task itself)."""
    task = _load(task_id)
    subject = disclosure.Subject("account", task["account_id"], task["branch_id"])
    purpose = disclosure.Purpose("callback", f"callback task {task_id}")
    requested = ["phone", "client_name"]
    try:
        _held(principal, task_id)
        if task["status"] not in OPEN_STATUSES:
            raise Unprocessable("a finished task is read-only")
    except (NotFound, Forbidden, Unprocessable) as err:
        disclosure.record_refusal(principal, subject, purpose, err.message, requested)
        raise
    contact = repo.account_contact(task["account_id"])
    if not contact:
        raise NotFound("the task's account is not in the feed yet")
    shown, audit = disclosure.grant(
        principal,
        subject,
        purpose,
        {"phone": contact.get("phone"), "client_name": contact.get("client_name") or task.get("client_name")},
    )
    return {
        "task_id": task_id,
        "account_id": task["account_id"],
        "phone": shown.get("phone"),
        "client_name": shown.get("client_name"),
        "audit_id": audit["audit_id"],
    }


# --- attempts: pure rules -----------------------------------------------------------------------------


@dataclass
class AttemptEffects:
    fallback: bool = False
    mark_contact: bool = False
    contact_request: bool = False  # a new contact-update request for the client's branch
    withdraw_request: bool = False  # the task no longer waits: its open request is closed with it
    escalate: bool = False
    problems: list[dict] = field(default_factory=list)  # {category, cause, responsible_department, severity, ...}


# Callbacks that count toward the regulator's coverage (CSRC 2010: every new account, >=10% of existing
# clients a year): the regulator's checklist is required on them whatever the channel.
COVERAGE_TRIGGERS = {Trigger.new_account.value, Trigger.dormant.value, Trigger.periodic.value, Trigger.sample.value}
# seed 001 资产变动情况下的客户回访: "客户出现较大资产转出时应在次日对该客户进行电话回访" - a risk callback
# is a conversation with the client, never a letter, an e-mail or an SMS.
RISK_CHANNELS = {"phone", "visit"}
# Evidence per channel (DOMAIN 4; seed 001 前台业务人员客户回访管理规定 第六条 "回访需有效留痕"):
#   电话: "使用录音电话 ... 在备注中写明呼叫的电话号码"; 面谈: 记录表 "由回访客户签名或盖章";
#   信函: "客户回寄的回访记录表必须由客户签名或盖章 ... 邮局的回执和信封作为此记录表的附件";
#   电子邮件: "打印电子邮件的内容作为此记录表的附件"; WeChat (DOMAIN 4): the chat export.
EVIDENCE_FIELDS = tuple(f for fields in EVIDENCE.values() for f in fields)
# Each "no" of the checklist is a problem item of its category (DOMAIN 4 "Any 'no' in the regulator's
# content is a problem item"; seed 000 第五篇 第十一条(三) "对回访中发现的问题应及时填写问题件转办表").
# answer -> (category, severity, cause, responsible department, escalation kind or None)
NEGATIVE_ANSWERS = {
    "account_changes_confirmed": (
        "change_not_recognised",
        "critical",
        "client does not recognise changes to the account",
        "branch manager / head office business management",
        "change_not_recognised",
    ),
    "no_staff_trading": (
        "trading_on_behalf",
        "critical",
        "staff traded on the client's behalf (代客操作)",
        "compliance",
        None,
    ),
    "risks_disclosed": ("risk_not_disclosed", "normal", "risks were not disclosed to the client", "compliance", None),
    "no_discretionary_authority": (
        "discretionary_authority",
        "critical",
        "the client gave discretionary authority (全权委托)",
        "compliance",
        None,
    ),
    "no_return_promise": (
        "return_promised",
        "critical",
        "staff promised returns or to cover losses",
        "compliance",
        None,
    ),
    "no_signing_for_client": (
        "signed_for_client",
        "critical",
        "staff signed documents for the client",
        "compliance",
        None,
    ),
}


def content_trigger(task: dict) -> str:
    """The trigger whose content a callback must cover: a fallback covers its source task's."""
    if task["trigger"] == Trigger.fallback.value:
        return (task.get("detail") or {}).get("source_trigger") or Trigger.fallback.value
    return task["trigger"]


def required_content(task: dict, channel: str) -> list[str]:
    """The fields a reached callback of this task by this channel must carry."""
    trigger = content_trigger(task)
    fields = [*EVIDENCE.get(channel, ()), "answered_by", "identity_confirmed"]
    if trigger in COVERAGE_TRIGGERS:
        fields.append("checklist")
    if trigger in RISK_TRIGGERS:
        fields.append("transfer_recognised")
    if trigger == Trigger.closed_account.value:
        fields.append("closing_reason")  # seed 003 第四章: the reason, for attrition analysis
    if channel in INTERACTIVE:
        fields.append("satisfaction")
    return fields


def _refuse(details: list[dict]) -> None:
    if details:
        first = details[0]
        raise ValidationFailed(f"{first['field']}: {first['message']}", details=details)


def validate_attempt(task: dict, body: AttemptIn, at: datetime, now: datetime) -> None:
    """Refuse what the rules refuse, naming every failing field."""
    if task["status"] not in OPEN_STATUSES:
        raise Unprocessable("a finished task is read-only")
    if at > now:
        raise ValidationFailed.field("at", "cannot be in the future")
    channel = body.channel.value
    trigger = content_trigger(task)
    if task["trigger"] == Trigger.fallback.value and channel not in FALLBACK_CHANNELS:
        raise ValidationFailed.field("channel", "a fallback task is worked by letter, email or SMS")
    allowed = (task.get("detail") or {}).get("channels")
    if task["trigger"] == Trigger.fallback.value and allowed and channel not in allowed:
        raise ValidationFailed.field("channel", f"this fallback task is worked by {' or '.join(allowed)}")
    if trigger in RISK_TRIGGERS and channel not in RISK_CHANNELS:
        raise ValidationFailed.field(
            "channel",
            "a risk callback is made by phone or visit, never by letter, " "e-mail or SMS (seed 001: 次日电话回访)",
        )
    if body.closing_reason and trigger != Trigger.closed_account.value:
        raise ValidationFailed.field("closing_reason", "only for closed-account callbacks")
    details = [
        {
            "field": f,
            "message": f"evidence of a {next(c for c, fs in EVIDENCE.items() if f in fs)} "
            f"callback, not of {channel}",
        }
        for f in EVIDENCE_FIELDS
        if getattr(body, f) is not None and f not in EVIDENCE[channel]
    ]
    _refuse(details)
    if not body.reached:
        if body.reason is None:
            raise ValidationFailed.field("reason", "required when the client was not reached")
        if body.problems:
            # A finding is what the client said; nothing was said. Refused, never silently dropped.
            raise ValidationFailed.field("problems", "only a reached callback reports problem items")
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
    if channel == "sms" and (
        trigger in COVERAGE_TRIGGERS
        or trigger in RISK_TRIGGERS
        or trigger in {Trigger.closed_account.value, Trigger.departed_manager.value}
    ):
        raise ValidationFailed.field(
            "channel", "an SMS can carry a notice but never completes a regulatory or " "risk callback"
        )
    if body.identity_confirmed is False:
        raise ValidationFailed.field(
            "identity_confirmed",
            "confirm the client's identity; an unverified person is not reached "
            "(record reached=false, reason wrong_number)",
        )
    _refuse(
        [
            {"field": f, "message": f"required for a reached {trigger} callback by {channel}"}
            for f in required_content(task, channel)
            if getattr(body, f) is None
        ]
    )


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
        new.update(status="done", outcome=_clean(outcome), completed_at=clock.iso(now), reschedule_at=None)
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
    reason = body.reason.value
    new["status"] = "in_progress"
    if task.get("reschedule_at") and at >= datetime.fromisoformat(task["reschedule_at"]):
        new["reschedule_at"] = None  # the client's "call me at T" was honoured: back to the deadline's place
    risk = content_trigger(task) in RISK_TRIGGERS
    if risk and reason == "refused":
        # A risk callback is never closed unreached by the agent: it stays open and goes to the branch manager.
        _escalate_unanswered(task, new, effects, "the client refused the large-outflow callback")
    elif reason == "call_back_later":
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


def _request_of(task: dict) -> dict:
    """The key fields of the task's open contact request."""
    return {"account_id": task["account_id"], "requested_at": task["contact_request_at"], "task_id": task["task_id"]}


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


def decide(principal: Principal, task_id: str, body) -> dict:
    """A branch manager's recorded decision closes an unreached risk callback: who, when and why."""
    task = _load(task_id)
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
        repo.write([repo.task_put_op(_clean(new), task)])
    except ConditionFailed:
        raise Conflict("the task changed meanwhile; reload it and decide again") from None
    if task.get("assignee_id"):
        repo.release_load(task["assignee_id"])
    return render(new, now=now)


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
        task_id=keys.callback_task_id(Trigger.fallback.value, task["account_id"], episode),
        trigger=Trigger.fallback,
        episode=episode,
        account_id=task["account_id"],
        branch_id=task["branch_id"],
        serving_manager_id=task.get("serving_manager_id"),
        client_name=task.get("client_name"),
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


# --- attempts: the write --------------------------------------------------------------------------------


def _replayed_attempt(principal: Principal, task_id: str, attempt_id: str) -> dict | None:
    """The answer to this submission's attempt if it is already stored (a retry after a lost response)."""
    task, attempts, _ = repo.task_with_history(task_id)
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
    if submission.current().keyed and (replayed := _replayed_attempt(principal, task_id, attempt_id)):
        return replayed
    task = _held(principal, task_id)
    now = clock.now()
    at = body.at.astimezone(clock.SHANGHAI) if body.at else now
    validate_attempt(task, body, at, now)
    new, effects = apply_attempt(task, body, at, now)
    attempt = _clean(
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
        attempt["dialled_number_sealed"] = repo.seal_phone(body.dialled_number)
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
    ops = [repo.task_put_op(_clean(new), task), repo.attempt_op(attempt)]
    ops += [problem_repo.new_problem_op(p) for p in found]
    if effects.contact_request:
        masked = repo.account_masked_contact(task["account_id"]).get("phone_masked")
        ops.append(repo.new_contact_request_op(_clean(contact_request_record(task, new, principal.id, masked))))
    if effects.withdraw_request:
        ops.append(
            repo.close_contact_request_op(
                _request_of(task), "withdrawn", {"closed_at": clock.iso(now), "closed_by_attempt": attempt_id}
            )
        )
    fallback = fallback_task(new, now) if effects.fallback else None
    if fallback:
        ops.append(repo.new_task_op(fallback))
    # What a replay of this submission answers (see _replayed_attempt).
    attempt.update(
        _clean(
            {
                "fallback_task_id": fallback["task_id"] if fallback else None,
                "problem_ids": [p["problem_id"] for p in found] or None,
                "escalated": effects.escalate or None,
            }
        )
    )
    ops[1] = repo.attempt_op(attempt)
    # A critical finding (an unrecognised change or transfer, seed 000 第五篇) is escalated in the attempt's
    # own transaction: the escalation exists exactly when the attempt does.
    critical = [
        (raw.get("escalation_kind") or "critical_problem", p)
        for p, raw in zip(found, effects.problems, strict=False)
        if p["severity"] == "critical"
    ]
    ops += [problems.escalation_op(kind, p) for kind, p in critical]
    try:
        repo.write(ops)
    except ConditionFailed:
        if replayed := _replayed_attempt(principal, task_id, attempt_id):
            return replayed  # our own write was applied; its response was lost
        raise Conflict("the task changed meanwhile; reload it and record the attempt again") from None
    if new["status"] not in OPEN_STATUSES and not fallback:
        repo.release_load(principal.id)  # with a fallback the agent keeps one open task: no change
    if effects.mark_contact:
        repo.mark_contact_for_update(task["account_id"], clock.iso(now), task_id)
    for kind, p in critical:
        problems.deliver_escalation(kind, p)
    return {
        "task": render(new, now=now),
        "attempt": public_attempt(attempt),
        "fallback_task_id": fallback["task_id"] if fallback else None,
        "problem_ids": [p["problem_id"] for p in found],
        "escalated": effects.escalate,
    }


# --- compliance review -------------------------------------------------------------------------------------


def review(principal: Principal, task_id: str, body: ReviewIn) -> dict:
    task = _load(task_id)
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
            if task.get("status") not in OPEN_STATUSES or task.get("overdue_at"):
                continue
            if content_trigger(task) in RISK_TRIGGERS and not task.get("unanswered_escalated"):
                # A risk callback not reached by its deadline: a critical escalation for the branch
                # manager, a problem item and its outbox entry written with the overdue flag.
                item = problems.new_record(
                    branch_id=task["branch_id"],
                    account_id=task["account_id"],
                    task_id=task["task_id"],
                    source="callback",
                    created_by="system",
                    category="callback_unanswered",
                    severity="critical",
                    cause="large-outflow callback not reached by its deadline",
                    responsible_department="branch manager / head office business " "management",
                    description="",
                    now=now,
                )
                kind, subject = "risk_callback_unanswered", item
                also = [problem_repo.new_problem_op(item), problems.escalation_op(kind, item)]
            else:
                kind, subject = "task_overdue", task
                also = [problems.escalation_op(kind, task)]
            if repo.flag_task_overdue(task, at, also=also):
                flagged.append(task["task_id"])
                problems.deliver_escalation(kind, subject)
        day += timedelta(days=1)
    if days:
        repo.set_watermark(SWEEP_JOB, last_day.isoformat(), at)
    return {"days_read": days, "flagged": flagged}


# --- wrong numbers: the branch's contact-update requests -------------------------------------------------
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
    return repo.list_branch_contact_requests(branch_id, limit=limit, start_key=start_key)


def render_contact_request(record: dict, now: datetime | None = None) -> dict:
    today = clock.local_date(now or clock.now()).isoformat()
    return {
        **record,
        "client_name": mask_name(record.get("client_name")),
        "overdue": record.get("status") == "open" and record["due_on"] < today,
    }


def _waits_on(task: dict | None, request: dict) -> bool:
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
    for request in repo.open_contact_requests(account_id):
        for _ in range(retries):
            task = repo.get_task(request["task_id"])
            close = repo.close_contact_request_op(
                request,
                "resolved",
                {
                    "closed_at": clock.iso(now),
                    "resolved_by_event": change.get("event_id"),
                    "new_phone_masked": change.get("phone_masked"),
                },
            )
            ops = [close]
            if _waits_on(task, request):
                new = {
                    **task,
                    "waiting_on": None,
                    "contact_needs_update": None,
                    "contact_request_at": None,
                    "contact_request_due_on": None,
                    "contact_updated_at": change.get("changed_at"),
                    "revision": int(task.get("revision", 0)) + 1,
                }
                ops.insert(0, repo.task_put_op(_clean(new), task))
            try:
                repo.write(ops)
            except ConditionFailed:
                continue  # the agent or the sweep moved the task meanwhile: read it again
            if len(ops) == 2:
                resumed.append(task["task_id"])
            break
        else:
            raise Conflict(f"task {request['task_id']} kept changing; the outbox retries the resume")
    return resumed


def sweep_contact_requests(now: datetime | None = None) -> dict:
    """Requests whose deadline day has passed: the callback falls back to a letter (a risk callback is
    escalated instead and stays open: it is never closed by a letter, item 4). Reads only CONTACTDUE#<day>."""
    now = now or clock.now()
    last_day = clock.local_date(now) - timedelta(days=1)
    mark = repo.get_watermark(CONTACT_SWEEP_JOB)
    if mark:
        day = datetime.fromisoformat(mark).date() + timedelta(days=1)
    else:
        day = last_day - timedelta(days=max(get_settings().sweep_initial_lookback_hours // 24, 1) - 1)
    fallbacks, escalated, days = [], [], 0
    while day <= last_day:
        days += 1
        for request in repo.contact_requests_due_on(day.isoformat()):
            if request.get("status") != "open":
                continue
            outcome = _expire_request(request, now)
            if outcome and outcome[0] == "fallback":
                fallbacks.append(outcome[1])
            elif outcome and outcome[0] == "escalated":
                escalated.append(request["task_id"])
        day += timedelta(days=1)
    if days:
        repo.set_watermark(CONTACT_SWEEP_JOB, last_day.isoformat(), clock.iso(now))
    return {"days_read": days, "fallback_task_ids": fallbacks, "escalated": escalated}


def _expire_request(request: dict, now: datetime) -> tuple[str, str] | None:
    at = clock.iso(now)
    for _ in range(3):
        task = repo.get_task(request["task_id"])
        fields = {"closed_at": at}
        ops, item, fallback, kind = [], None, None, "expired"
        if _waits_on(task, request):
            new = {
                **task,
                "waiting_on": None,
                "contact_request_at": None,
                "contact_request_due_on": None,
                "revision": int(task.get("revision", 0)) + 1,
            }
            if content_trigger(task) in RISK_TRIGGERS:
                # Never closed by a letter: it stays open with the agent and goes to the branch manager.
                item = problems.new_record(
                    branch_id=task["branch_id"],
                    account_id=task["account_id"],
                    task_id=task["task_id"],
                    source="callback",
                    created_by="system",
                    category="callback_unanswered",
                    severity="critical",
                    cause="wrong number: the contact was not re-established by the "
                    "deadline of a large-outflow callback",
                    responsible_department="branch manager / head office business " "management",
                    description="",
                    now=now,
                )
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
            ops.append(repo.task_put_op(_clean(new), task))
        ops.append(repo.close_contact_request_op(request, "expired", fields))
        if item:
            ops += [problem_repo.new_problem_op(item), problems.escalation_op("risk_callback_unanswered", item)]
        if fallback:
            ops.append(repo.new_task_op(fallback))
        try:
            repo.write(ops)
        except ConditionFailed:
            continue
        if item:
            problems.deliver_escalation("risk_callback_unanswered", item)
        return (kind, fallback["task_id"]) if fallback else (kind, request["task_id"])
    logger.warning("contact request not expired: its task kept changing", extra={"task_id": request["task_id"]})
    return None
