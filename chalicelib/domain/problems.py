"""Problem items 问题件: created by callbacks or compliance, SLA-tracked to verified closure."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from .. import clock
from ..auth import Principal
from ..config import get_settings
from ..errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.problems import TRANSITIONS, UNRESOLVED, ProblemIn, TransitionIn
from ..models.tasks import OPEN_STATUSES, TaskRecord, Trigger, task_id_of
from . import hourly_sweep, workdays
from .account_ports import ACCOUNTS
from .callback_ports import CALLBACK_WORK
from .problems_ports import PROBLEMS

OVERSIGHT = {"compliance", "admin"}
SWEEP_JOB = "problem-sla-sweep"


def due_at(created: datetime, severity: str) -> datetime:
    """Critical: N hours; normal: N working days, same time of day (DOMAIN 4, configurable)."""
    s = get_settings()
    if severity == "critical":
        return created + timedelta(hours=s.problem_sla_critical_hours)
    day = workdays.add_workdays(clock.local_date(created), s.problem_sla_normal_working_days)
    local = created.astimezone(clock.SHANGHAI)
    return local.replace(year=day.year, month=day.month, day=day.day)


def new_record(
    *,
    branch_id: str,
    category: str,
    cause: str,
    responsible_department: str,
    severity: str,
    description: str,
    source: str,
    created_by: str,
    account_id: str | None = None,
    task_id: str | None = None,
    now: datetime | None = None,
) -> dict:
    now = now or clock.now()
    at = clock.iso(now)
    return {
        "problem_id": uuid.uuid4().hex,
        "branch_id": branch_id,
        "account_id": account_id,
        "task_id": task_id,
        "source": source,
        "category": category,
        "cause": cause,
        "responsible_department": responsible_department,
        "severity": severity,
        "description": description,
        "status": "open",
        "created_at": at,
        "created_by": created_by,
        "due_at": clock.iso(due_at(now, severity)),
        "escalated": severity == "critical",
        "history": [{"at": at, "by": created_by, "to": "open"}],
    }


def create(principal: Principal, body: ProblemIn) -> dict:
    # Every id the item names belongs to its branch: its verification callback would otherwise put
    # another branch's client in this branch's queue (issue 16 §5). Foreign or unknown: the same 404.
    task = None
    if body.task_id:
        task = CALLBACK_WORK().get_task(body.task_id)
        if not task or task["branch_id"] != body.branch_id:
            raise NotFound.reference("task_id", f"task {body.task_id}")
        if body.account_id and body.account_id != task["account_id"]:
            raise ValidationFailed.field("account_id", "does not match the task's account")
    if body.account_id:
        account = ACCOUNTS().get_account(body.account_id)
        if not account or account.get("branch_id") != body.branch_id:
            raise NotFound.reference("account_id", f"account {body.account_id}")
    record = new_record(
        branch_id=body.branch_id,
        category=body.category.value,
        cause=body.cause,
        responsible_department=body.responsible_department,
        severity=body.severity.value,
        description=body.description,
        source="compliance",
        created_by=principal.id,
        account_id=body.account_id or (task["account_id"] if task else None),
        task_id=body.task_id,
    )
    if record["severity"] == "critical":
        PROBLEMS().create(record, escalation=escalation_op("critical_problem", record))
        deliver_escalation("critical_problem", record)
    else:
        PROBLEMS().create(record)
    return record


def _escalation_subject(kind: str, record: dict) -> str:
    return f"{kind}:{record.get('problem_id') or record.get('task_id') or record.get('id')}"


def escalation_op(kind: str, record: dict) -> dict:
    """The outbox entry escalating `record` to the branch manager and head office (issue 13 §3-4, issue 14 §2).

    It goes into the transaction that creates or flags the record, so the escalation exists exactly when
    its cause does: a crash or a lost response between the two can no longer drop it. Its id is derived
    from kind + subject, so a retried cause records it once."""
    from . import outbox
    from .outbox_handlers import ESCALATION

    # Ids and categories only: the entry never carries client names or contact data.
    fields = {
        k: record.get(k)
        for k in ("branch_id", "problem_id", "task_id", "account_id", "category", "severity", "due_at")
        if record.get(k) is not None
    }
    return outbox.record_op(ESCALATION, _escalation_subject(kind, record), {"kind": kind, "record": fields})


def deliver_escalation(kind: str, record: dict) -> None:
    """Right after the commit, best effort; a failed send stays pending and the outbox sweep retries it
    with backoff until SNS takes it."""
    from . import outbox
    from .outbox_handlers import ESCALATION

    outbox.deliver_now(ESCALATION, _escalation_subject(kind, record))


SUPERVISOR = "supervisor"


def read(principal: Principal, problem_id: str) -> dict:
    record = PROBLEMS().get(problem_id)
    # A branch manager (supervisor) reads their own branch's items; another branch's are not there for them.
    if not record or (principal.role == SUPERVISOR and record.get("branch_id") != principal.branch_id):
        raise NotFound(f"problem {problem_id} not found")
    return record


def list_problems(principal: Principal, *, status, branch_id, month, limit, start_key, severity=None, overdue=None):
    if principal.role == SUPERVISOR:
        # Read-only oversight of their branch (issue 13 §6): by month, the current one unless asked.
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("supervisors see their own branch's problem items only")
        branch_id, month = principal.branch_id, month or clock.today().isoformat()[:7]
    if branch_id or month:
        if not (branch_id and month):
            field = "query.month" if branch_id else "query.branch_id"
            raise ValidationFailed.field(field, "branch_id and month are given together")

        def keep(i: dict) -> bool:
            return (
                (not status or i["status"] == status)
                and (not severity or i.get("severity") == severity)
                and (overdue is None or bool(i.get("overdue")) == overdue)
            )

        filtered = bool(status or severity or overdue is not None)
        return PROBLEMS().list_branch_month(
            branch_id, month, limit=limit, start_key=start_key, keep=keep if filtered else None
        )
    return PROBLEMS().list_by_status(status or "open", limit=limit, start_key=start_key)


def transition(principal: Principal, problem_id: str, body: TransitionIn) -> dict:
    if principal.role not in OVERSIGHT:
        raise Forbidden("only compliance moves problem items")
    current = read(principal, problem_id)
    if body.to not in TRANSITIONS[current["status"]]:
        raise Unprocessable(f"a {current['status']} problem item cannot move to {body.to}")
    now = clock.iso(clock.now())
    record = {
        **current,
        "status": body.to,
        "history": [*current.get("history", []), {"at": now, "by": principal.id, "to": body.to, "note": body.note}],
    }
    new_task = None
    if body.to == "resolved":
        if not body.note:
            raise ValidationFailed.field("note", "a resolution note is required")
        record.update(resolution_note=body.note, resolved_at=now, resolved_by=principal.id)
        if body.verify_with_client:
            if not current.get("account_id"):
                raise ValidationFailed.field("verify_with_client", "the problem item names no account to call")
            task = second_callback_task(record)
            record["verification_task_id"] = task["task_id"]
            new_task = task
    if body.to == "verified":
        pending = current.get("verification_task_id")
        if pending:
            verification = CALLBACK_WORK().get_task(pending)
            if verification and verification["status"] in OPEN_STATUSES:
                raise Unprocessable("the verification callback is still open")
        record.update(verified_at=now, verified_by=principal.id)
    # ProblemChanged (409) when another move got there first: nothing is written, the callback neither.
    PROBLEMS().replace(record, expected_status=current["status"], new_task=new_task)
    return record


def second_callback_task(problem: dict) -> dict:
    """A callback to verify the resolution with the client; it waits in the branch queue."""
    s = get_settings()
    now = clock.now()
    today = clock.local_date(now)
    due_on = workdays.add_workdays(today, s.due_second_callback_working_days)
    # The names a callback task carries, from the feed's account item (its sealed phone is not opened here).
    contact = ACCOUNTS().get_account(problem["account_id"]) or {}
    return TaskRecord(
        task_id=task_id_of(Trigger.second_callback.value, problem["account_id"], problem["problem_id"]),
        trigger=Trigger.second_callback,
        episode=problem["problem_id"],
        account_id=problem["account_id"],
        branch_id=problem["branch_id"],
        serving_manager_id=contact.get("serving_manager_id"),
        client_name=contact.get("client_name"),
        phone_masked=contact.get("phone_masked"),
        business_date=today,
        created_at=clock.iso(now),
        due_on=due_on,
        due_at=f"{due_on.isoformat()}T23:59:59+08:00",
        priority=3,
        source_task_id=problem.get("task_id"),
        detail={"problem_id": problem["problem_id"], "category": problem["category"]},
    ).model_dump(mode="json", exclude_none=True)


# --- hourly SLA sweep ------------------------------------------------------------------------


def sweep_overdue(now: datetime | None = None) -> dict:
    """Flag and escalate unresolved items whose due hour has passed.

    Reads only the PROBLEMDUE#<hour> buckets after the watermark up to the last
    completed hour, so a missed run catches up and a rerun flags nothing twice.
    """
    now = now or clock.now()
    flagged: list[str] = []
    at = clock.iso(now)

    def read_hour(hour: str) -> None:
        for item in PROBLEMS().due_in_hour(hour):
            if item["status"] not in UNRESOLVED or item.get("overdue_at"):
                continue
            # The flag and its escalation are one transaction, conditional on the flag not being set.
            if PROBLEMS().flag_overdue(item["problem_id"], at, escalation=escalation_op("problem_overdue", item)):
                flagged.append(item["problem_id"])
                deliver_escalation("problem_overdue", item)

    hours = hourly_sweep.sweep(SWEEP_JOB, now, read_hour)
    return {"hours_read": hours, "flagged": flagged}
