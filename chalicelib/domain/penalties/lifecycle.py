"""A penalty after its entry: reading it, settling (cash or salary), voiding, appealing and deciding the
appeal. Every change is a conditional write on status and revision with its audit entry; a void or an
overturned appeal adds a reversal beside the original and drops it from its month's ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from ... import clock
from ...config import get_settings
from ...errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ...models.penalties import AppealDecisionIn, AppealIn, SettleIn, VoidIn
from .. import penalty_rules
from ..penalty_ports import PENALTIES

if TYPE_CHECKING:
    from ...auth import Principal


def audit_entry(actor_id: str, actor_role: str, now, revision: int, action: str, reason: str, changes: dict) -> dict:
    return {
        "at": clock.iso(now),
        "revision": revision,
        "action": action,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "reason": reason,
        "changes": changes,
    }


# --- reading ----------------------------------------------------------------------------------------
def _can_read(principal: Principal, record: dict) -> bool:
    if principal.role in ("compliance", "admin"):
        return True
    if principal.role == "supervisor":
        return record["branch_id"] == principal.branch_id
    if principal.role == "client_manager":
        return record["manager_id"] == principal.id
    return False


def _load(principal: Principal, penalty_id: str) -> dict:
    record = PENALTIES().get(penalty_id)
    if not record or not _can_read(principal, record):
        raise NotFound(f"penalty {penalty_id} not found")
    return record


def read(principal: Principal, penalty_id: str) -> dict:
    record, history, reversal = PENALTIES().get_with_history(penalty_id)
    if not record or not _can_read(principal, record):
        raise NotFound(f"penalty {penalty_id} not found")
    history.sort(key=lambda h: int(h["revision"]))
    if reversal:
        reversal = {**reversal, "points": int(reversal["points"])}
    return {**record, "history": history, "reversal": reversal}


def list_penalties(
    principal: Principal, manager_id: str | None, branch_id: str | None, month: str | None, limit: int, start_key
):
    if principal.role == "client_manager":
        if (manager_id and manager_id != principal.id) or (branch_id and branch_id != principal.branch_id):
            raise Forbidden("a manager reads only their own penalties")
        return PENALTIES().list_for_manager(principal.id, month, limit=limit, start_key=start_key)
    if principal.role == "supervisor" and branch_id and branch_id != principal.branch_id:
        raise Forbidden("supervisors read their own branch only")
    if manager_id:
        if principal.role == "supervisor":
            staff = PENALTIES().scoped_staff(manager_id)  # a read scope check: the principal cache's copy
            if not staff or staff["branch_id"] != principal.branch_id:
                raise Forbidden("supervisors read their own branch only")
        return PENALTIES().list_for_manager(manager_id, month, limit=limit, start_key=start_key)
    return PENALTIES().list_for_branch(branch_id or principal.branch_id, month, limit=limit, start_key=start_key)


# --- lifecycle -----------------------------------------------------------------------------------------
def _require_branch_supervisor(principal: Principal, record: dict) -> None:
    if principal.role == "supervisor" and record["branch_id"] != principal.branch_id:
        raise NotFound(f"penalty {record['penalty_id']} not found")


def _require_status(record: dict, *allowed: str) -> None:
    if record["status"] not in allowed:
        raise Conflict(f"penalty is {record['status']}; this needs {' or '.join(allowed)}")


class Actor(Protocol):
    """Who changes a penalty, as its audit entry names them (a signed-in Principal, or a job)."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...


def write_change(
    principal: Actor,
    before: dict,
    after: dict,
    action: str,
    reason: str,
    changes: dict,
    reversal: dict | None = None,
    *,
    drop_from_ledger: bool = False,
    overdue_flag: dict | None = None,
) -> dict:
    """`after` as the next revision of `before`, with its audit entry; Conflict (PenaltyChanged) if
    another change won meanwhile."""
    now = clock.now()
    revision = int(before["revision"]) + 1
    after = {**after, "revision": revision, "updated_at": clock.iso(now)}
    PENALTIES().replace(
        after,
        expected_status=before["status"],
        expected_revision=int(before["revision"]),
        audit=audit_entry(principal.id, principal.role, now, revision, action, reason, changes),
        reversal=reversal,
        drop_from_ledger=drop_from_ledger,
        overdue_flag=overdue_flag,
    )
    return after


def _reversal(principal: Principal, record: dict, reason: str, cause: str) -> dict:
    yuan = record.get("yuan")
    return {
        "penalty_id": record["penalty_id"],
        "cause": cause,
        "points": -int(record["points"]),
        "yuan": -Decimal(yuan) if yuan is not None else None,
        "reason": reason,
        "by": principal.id,
        "at": clock.iso(clock.now()),
    }


def settle(principal: Principal, penalty_id: str, body: SettleIn) -> dict:
    record = _load(principal, penalty_id)
    _require_branch_supervisor(principal, record)
    _require_status(record, "open")
    if record["settlement"] == "hr":
        raise Unprocessable("a dismissal or transfer recommendation has no amount to settle")
    if record["settlement"] == "payroll" and body.method != "salary":
        raise ValidationFailed.field("method", "this penalty is deducted from salary by payroll")
    if body.method == "cash" and record.get("due_on") and clock.today().isoformat() > record["due_on"]:
        # The two weeks for cash are over (the sweep may not have run yet): salary, at the salary amount.
        raise ValidationFailed.field("method", f"cash was due by {record['due_on']}; it is deducted from salary")
    after = dict(record)
    if record["amount_status"] == "payroll_to_compute":
        # Entered without the income it is a share of: the amount is computed from payroll's income figure,
        # given by a second person - the supervisor who entered it never sets its amount (issue 16 §6).
        if principal.id == record.get("entered_by"):
            raise Forbidden("the income of a penalty you entered is confirmed by payroll or a second person")
        if body.amount_yuan is not None:
            raise ValidationFailed.field("amount_yuan", "the amount is computed from income_yuan and the rule")
        if body.income_yuan is None:
            raise ValidationFailed.field("income_yuan", "payroll's income figure is required for this penalty")
        rule = {"code": record["rule_code"], "kind": record["rule_kind"], "amount": record.get("rule_amount")}
        computed = penalty_rules.compute_amounts(rule, int(record["occurrences"]), body.income_yuan, False)
        after.update(
            yuan=computed["yuan"],
            income_yuan=body.income_yuan,
            amount_status="computed_by_payroll",
            income_confirmed_by=principal.id,
            salary_deduction_yuan=penalty_rules.salary_amount(computed["yuan"], record["rule_kind"]),
        )
    elif body.amount_yuan is not None or body.income_yuan is not None:
        field = "amount_yuan" if body.amount_yuan is not None else "income_yuan"
        raise ValidationFailed.field(field, "the amount was computed when the penalty was entered")
    today = clock.today()
    paid = after["yuan"] if body.method == "cash" else after["salary_deduction_yuan"]
    after.update(
        status="paid_cash" if body.method == "cash" else "deducted_salary",
        settled={"method": body.method, "yuan": paid, "on": today.isoformat(), "by": principal.id, "note": body.note},
    )
    return write_change(
        principal,
        record,
        after,
        "settled",
        body.note or body.method,
        {"status": after["status"], "yuan": paid, "method": body.method},
    )


def void(principal: Principal, penalty_id: str, body: VoidIn) -> dict:
    record = _load(principal, penalty_id)
    _require_branch_supervisor(principal, record)
    _require_status(record, "open")
    after = {
        **record,
        "status": "voided",
        "voided": {"by": principal.id, "at": clock.iso(clock.now()), "reason": body.reason},
    }
    return write_change(
        principal,
        record,
        after,
        "voided",
        body.reason,
        {"status": "voided"},
        reversal=_reversal(principal, record, body.reason, "voided"),
        drop_from_ledger=True,  # it no longer counts toward the month's flags
    )


def appeal(principal: Principal, penalty_id: str, body: AppealIn) -> dict:
    record = _load(principal, penalty_id)
    if record["manager_id"] != principal.id:
        raise NotFound(f"penalty {penalty_id} not found")
    if record.get("appeal"):
        raise Conflict("a penalty may be appealed once")
    _require_status(record, "open")
    after = {
        **record,
        "status": "under_appeal",
        "appeal": {"reason": body.reason, "by": principal.id, "at": clock.iso(clock.now()), "outcome": None},
    }
    return write_change(principal, record, after, "appealed", body.reason, {"status": "under_appeal"})


def decide_appeal(principal: Principal, penalty_id: str, body: AppealDecisionIn) -> dict:
    record = _load(principal, penalty_id)
    _require_branch_supervisor(principal, record)
    if principal.role == "supervisor" and principal.id == record["entered_by"]:
        raise Forbidden("the supervisor who entered a penalty may not decide its appeal")
    _require_status(record, "under_appeal")
    now = clock.now()
    decided = {
        **record["appeal"],
        "outcome": body.outcome,
        "decided_by": principal.id,
        "decided_role": principal.role,
        "decided_at": clock.iso(now),
        "decision_reason": body.reason,
    }
    after = {**record, "appeal": decided}
    reversal = None
    if body.outcome == "upheld":
        # The cash window restarts from the decision: the appeal suspended it.
        after["status"] = "open"
        if record.get("due_on"):
            after["due_on"] = (clock.today() + timedelta(days=get_settings().cash_settlement_days)).isoformat()
            after["overdue"] = False
    else:
        after["status"] = "overturned"
        reversal = _reversal(principal, record, body.reason, "appeal_overturned")
    return write_change(
        principal,
        record,
        after,
        f"appeal_{body.outcome}",
        body.reason,
        {"status": after["status"], "due_on": after.get("due_on")},
        reversal=reversal,
        drop_from_ledger=reversal is not None,
    )
