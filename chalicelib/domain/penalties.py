"""Penalties (扣罚): entering, settling, voiding, appealing, escalating. Nothing is deleted.

Lifecycle: open -> paid_cash | deducted_salary | voided | under_appeal;
under_appeal -> open (upheld) | overturned. Every change is a conditional write on
status and revision together with an audit entry, so two concurrent changes cannot
both win; voids and overturned appeals add a reversal entry beside the original.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .. import clock, submission
from ..auth import Principal, cached_staff
from ..config import get_settings
from ..errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from ..models.penalties import AppealDecisionIn, AppealIn, PenaltyIn, PenaltyPreviewIn, SettleIn, VoidIn
from ..observability import logger
from ..storage import directory
from ..storage import penalties as repo
from . import leave, outbox, penalty_rules, workdays
from .outbox_handlers import PENALTY_OVERDUE_FLAG

INACTIVE = {"voided", "overturned"}
OVERDUE_JOB = "penalty_overdue"
NOTIFY = ["supervisor", "compliance"]


# --- entering ------------------------------------------------------------------------------------
_TX_RETRIES = 4


def enter(principal: Principal, body: PenaltyIn) -> dict:
    """One transaction, no read before it on the warm path: the manager is checked by it (a client
    manager of the supervisor's branch), the catalogue is this container's cached copy checked against
    its revision, and the escalation flags come from the manager's month ledger, written with it."""
    s = get_settings()
    today = clock.today()
    _entry_guards(principal, body)
    # Supervisors enter penalties for their own branch: the transaction checks the manager is in it.
    branch_id = principal.branch_id
    collision = _collision_link(body, branch_id)
    raised: set[str] = set()  # flags found raised already (by an earlier entry the ledger did not see)
    for _ in range(_TX_RETRIES):
        catalogue = penalty_rules.catalogue_on(body.breach_date, branch_id)
        rule = catalogue.rule(body.rule_code)
        _not_excused_by_leave(body, rule, branch_id)
        amounts = penalty_rules.compute_amounts(rule, body.occurrences, body.income_yuan, body.serious, s)
        now = clock.now()
        due_on = None
        if amounts["settlement"] == "cash_or_salary" and amounts["amount_status"] == "computed":
            due_on = (today + timedelta(days=s.cash_settlement_days)).isoformat()
        record = {
            "penalty_id": submission.record_id("penalty"),
            "manager_id": body.manager_id,
            "branch_id": branch_id,
            "rule_code": rule["code"],
            "rule_kind": rule["kind"],
            "rule_amount": rule.get("amount"),
            "rule_version": catalogue.version_ref(),
            "absence_days": rule.get("absence_days"),
            "breach_date": body.breach_date.isoformat(),
            "occurrences": body.occurrences,
            "evidence_note": body.evidence_note,
            "evidence_refs": body.evidence_refs,
            "serious": body.serious,
            "income_yuan": body.income_yuan,
            **amounts,
            "collision": collision,
            "status": "open",
            "due_on": due_on,
            "overdue": False,
            "entered_by": principal.id,
            "entered_at": clock.iso(now),
            "revision": 1,
            "ledgered": True,
            **submission.stamp(),
        }
        ledger, version = _ledger_of(record)
        ledger["flags"] = sorted(set(ledger.get("flags") or ()) | raised)
        flags = [
            f for f in escalation_flags(record, _ledger_active(ledger, record)) if f["flag_id"] not in ledger["flags"]
        ]
        after = {
            **ledger,
            "version": (version or 0) + 1,
            "complete": True,
            "stale": None,
            "penalties": {**ledger["penalties"], record["penalty_id"]: _ledger_entry(record)},
            "flags": ledger["flags"] + [f["flag_id"] for f in flags],
        }
        try:
            repo.enter(
                record,
                _audit(
                    principal.id,
                    principal.role,
                    now,
                    1,
                    "entered",
                    body.evidence_note,
                    {"status": "open", "points": amounts["points"], "yuan": amounts["yuan"]},
                ),
                branch_id=branch_id,
                ledger=after,
                ledger_version=version,
                catalogue_revisions=catalogue.revisions,
                flags=flags,
            )
        except repo.EntryRefused as refused:
            if refused.exists:
                stored = submission.replay_of(repo.get(record["penalty_id"]))  # this submission's earlier write
                if stored is None:
                    raise Conflict("a penalty with this id exists") from None
                return stored
            if refused.manager:
                _refuse_manager(body.manager_id, branch_id)
            if refused.stale:
                repo.forget_rule_scopes()  # a version was added meanwhile, or another entry moved the ledger
            raised.update(refused.flags)
            continue
        for f in flags:
            logger.info("escalation flag raised", extra={"flag_id": f["flag_id"], "kind": f["kind"]})
        logger.info("penalty entered", extra={"penalty_id": record["penalty_id"], "rule_code": rule["code"]})
        return record
    raise Conflict("the penalty could not be entered for concurrent changes; retry")


def _refuse_manager(manager_id: str, branch_id: str) -> None:
    """Why the transaction's manager check refused (read only then); returns if it passes now (a race)."""
    manager = directory.get_staff(manager_id)
    if not manager or manager["branch_id"] != branch_id:
        # Another branch's manager is as unknown.
        raise NotFound.reference("manager_id", f"staff member {manager_id}")
    if manager["role"] != "client_manager":
        raise ValidationFailed.field("manager_id", "penalties are entered against client managers only")


def preview(principal: Principal, body: PenaltyPreviewIn) -> dict:
    """What an entry would compute (points, cash and salary amounts, settlement, HR recommendations), with
    the same checks as entering it; nothing is stored. The console shows it before the supervisor saves."""
    _entry_guards(principal, body)
    _refuse_manager(body.manager_id, principal.branch_id)  # returns only for a client manager of the branch
    catalogue = penalty_rules.catalogue_on(body.breach_date, principal.branch_id)
    rule = catalogue.rule(body.rule_code)
    _not_excused_by_leave(body, rule, principal.branch_id)
    amounts = penalty_rules.compute_amounts(rule, body.occurrences, body.income_yuan, body.serious, get_settings())
    return {
        "manager_id": body.manager_id,
        "rule_code": rule["code"],
        "rule_kind": rule["kind"],
        "rule_amount": None if rule.get("amount") is None else str(rule["amount"]),
        "rule_version": catalogue.version_ref(),
        "occurrences": body.occurrences,
        "serious": body.serious,
        **amounts,
    }


def _entry_guards(principal: Principal, body: PenaltyIn | PenaltyPreviewIn) -> None:
    if body.breach_date > clock.today():
        raise ValidationFailed.field("breach_date", "a breach date cannot be in the future")
    if body.manager_id == principal.id:
        raise Forbidden("you may not enter a penalty against yourself")


# --- the month ledger: what the escalation rules read instead of the month's penalties ----------------------
def _ledger_entry(record: dict) -> dict:
    return {
        "rule_code": record["rule_code"],
        "occurrences": int(record["occurrences"]),
        "absence_days": record.get("absence_days"),
        "breach_date": record["breach_date"],
    }


def _ledger_of(record: dict) -> tuple[dict, int | None]:
    """The manager's ledger of the breach month and its version (None: not stored). One consistent read;
    a month without one (its first penalty, or entered before ledgers) or marked stale by a void of a
    penalty entered before ledgers is rebuilt from the month's penalties, once."""
    manager, month = record["manager_id"], record["breach_date"][:7]
    stored = repo.get_ledger(manager, month)
    version = int(stored["version"]) if stored else None
    if stored and stored.get("complete") and not stored.get("stale"):
        return {**stored, "penalties": dict(stored.get("penalties") or {})}, version
    penalties = {
        p["penalty_id"]: _ledger_entry(p)
        for p in repo.manager_month(manager, month)
        if p["status"] not in INACTIVE and p["penalty_id"] != record["penalty_id"]
    }
    return {
        "manager_id": manager,
        "month": month,
        "penalties": penalties,
        "flags": list((stored or {}).get("flags") or ()),
    }, version


def _ledger_active(ledger: dict, record: dict) -> list[dict]:
    """The month's active penalties as the escalation rules read them, this one last."""
    others = sorted(
        (
            {"penalty_id": pid, "status": "open", **entry}
            for pid, entry in ledger["penalties"].items()
            if pid != record["penalty_id"]
        ),
        key=lambda p: f"{p['breach_date']}#{p['penalty_id']}",
    )
    return others + [record]


def _not_excused_by_leave(body: PenaltyIn | PenaltyPreviewIn, rule: dict, branch_id: str) -> None:
    """An absence or "未经批准擅离岗位" (LEAVE_POST) on approved leave is refused (one Query, those rules only).
    Only the branch's leave is read: another branch's manager is refused by the transaction as unknown."""
    if rule.get("absence_days") is not None:
        _not_on_leave(body.manager_id, body.breach_date, Decimal(str(rule["absence_days"])), branch_id)
    elif (
        rule["code"] == "LEAVE_POST"
        and leave.days_on_leave(body.manager_id, body.breach_date, body.breach_date, branch_id=branch_id).get(
            body.breach_date, 0
        )
        >= 1
    ):
        # A whole day of approved leave is approval (half a day leaves the other half).
        raise ValidationFailed.field(
            "breach_date", f"{body.breach_date} is approved leave: not away without " "approval"
        )


def _not_on_leave(manager_id: str, breach_date: date, absence_days: Decimal, branch_id: str) -> None:
    """000 第一篇 第四条 fines "无故旷工": approved leave (请假, "须提前向区域经理提出") is not absence.

    The days an absence covers (from the breach date, working days) must not be approved leave; half a
    day of leave leaves room for ABSENT_HALF_DAY on that day only."""
    span = max(int(absence_days.to_integral_value(rounding="ROUND_CEILING")), 1)
    on_leave = leave.days_on_leave(manager_id, breach_date, breach_date + timedelta(days=span + 7), branch_id=branch_id)
    covered, day = [], breach_date
    while len(covered) < span and day <= breach_date + timedelta(days=span + 7):
        if day == breach_date or workdays.is_workday(day):
            covered.append(day)
        day += timedelta(days=1)
    for d in covered:
        share = on_leave.get(d, Decimal(0))
        if share >= 1 or (share > 0 and absence_days > Decimal("0.5")):
            what = "approved leave" if share >= 1 else "half a day of approved leave (enter ABSENT_HALF_DAY)"
            raise ValidationFailed.field("breach_date", f"{d} is {what}: approved leave is not absence")


def _collision_link(body: PenaltyIn, branch_id: str) -> dict | None:
    if body.collision_id is None:
        return None
    if body.rule_code != "FALSE_CLAIM":
        raise ValidationFailed.field("collision_id", "only a FALSE_CLAIM penalty links a collision")
    found = repo.get_collision(body.collision_id)
    # A collision this branch took part in (its prospect, or its manager's attempt); another's is unknown.
    if not found or branch_id not in (found.get("branch_id"), found.get("attempted_by_branch")):
        raise NotFound.reference("collision_id", f"collision {body.collision_id}")
    return {
        "collision_id": body.collision_id,
        "prospect_id": found.get("prospect_id"),
        "recorded_at": found.get("at") or found.get("created_at"),
    }


def _audit(actor_id: str, actor_role: str, now, revision: int, action: str, reason: str, changes: dict) -> dict:
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
    record = repo.get(penalty_id)
    if not record or not _can_read(principal, record):
        raise NotFound(f"penalty {penalty_id} not found")
    return record


def read(principal: Principal, penalty_id: str) -> dict:
    record, history, reversal = repo.get_with_history(penalty_id)
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
        return repo.list_for_manager(principal.id, month, limit=limit, start_key=start_key)
    if principal.role == "supervisor" and branch_id and branch_id != principal.branch_id:
        raise Forbidden("supervisors read their own branch only")
    if manager_id:
        if principal.role == "supervisor":
            staff = cached_staff(manager_id)  # a read scope check: the principal cache's copy
            if not staff or staff["branch_id"] != principal.branch_id:
                raise Forbidden("supervisors read their own branch only")
        return repo.list_for_manager(manager_id, month, limit=limit, start_key=start_key)
    return repo.list_for_branch(branch_id or principal.branch_id, month, limit=limit, start_key=start_key)


# --- lifecycle -----------------------------------------------------------------------------------------
def _require_branch_supervisor(principal: Principal, record: dict) -> None:
    if principal.role == "supervisor" and record["branch_id"] != principal.branch_id:
        raise NotFound(f"penalty {record['penalty_id']} not found")


def _require_status(record: dict, *allowed: str) -> None:
    if record["status"] not in allowed:
        raise Conflict(f"penalty is {record['status']}; this needs {' or '.join(allowed)}")


def _write(
    principal: Principal,
    before: dict,
    after: dict,
    action: str,
    reason: str,
    changes: dict,
    reversal: dict | None = None,
    extra_ops: list[dict] | None = None,
) -> dict:
    now = clock.now()
    revision = int(before["revision"]) + 1
    after = {**after, "revision": revision, "updated_at": clock.iso(now)}
    repo.replace(
        after,
        expected_status=before["status"],
        expected_revision=int(before["revision"]),
        audit=_audit(principal.id, principal.role, now, revision, action, reason, changes),
        reversal=reversal,
        extra_ops=extra_ops,
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
    return _write(
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
    return _write(
        principal,
        record,
        after,
        "voided",
        body.reason,
        {"status": "voided"},
        reversal=_reversal(principal, record, body.reason, "voided"),
        extra_ops=[repo.ledger_drop_op(record)],
    )  # it no longer counts toward the month's flags


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
    return _write(principal, record, after, "appealed", body.reason, {"status": "under_appeal"})


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
    return _write(
        principal,
        record,
        after,
        f"appeal_{body.outcome}",
        body.reason,
        {"status": after["status"], "due_on": after.get("due_on")},
        reversal=reversal,
        extra_ops=[repo.ledger_drop_op(record)] if reversal else None,
    )


# --- escalations --------------------------------------------------------------------------------------------
def _month_active(record: dict) -> list[dict]:
    """The manager's active penalties in the breach month, this one included (GSIs may lag a write)."""
    month = record["breach_date"][:7]
    others = [p for p in repo.manager_month(record["manager_id"], month) if p["penalty_id"] != record["penalty_id"]]
    return [p for p in others + [record] if p["status"] not in INACTIVE]


def raise_escalations(record: dict) -> list[dict]:
    """The flags of a penalty entered before month ledgers (its outbox entry may still be pending): the
    same rules over the month's penalties as read now; each flag is raised once (deterministic id)."""
    raised = []
    for out in escalation_flags(record, _month_active(record)):
        if repo.put_flag(out):
            logger.info("escalation flag raised", extra={"flag_id": out["flag_id"], "kind": out["kind"]})
            raised.append(out)
    return raised


def escalation_flags(record: dict, active: list[dict]) -> list[dict]:
    """The flags for supervisors and compliance that `record` raises, given the manager's active penalties
    of its breach month (`record` included). Whether one was raised already is the caller's to know."""
    s = get_settings()
    month = record["breach_date"][:7]
    manager, branch = record["manager_id"], record["branch_id"]
    raised: list[dict] = []

    def flag(flag_id: str, kind: str, reason: str, penalties: list[dict], recommendation=None, collision=None):
        raised.append(
            {
                "flag_id": flag_id,
                "kind": kind,
                "staff_id": manager,
                "branch_id": branch,
                "month": month,
                "recommendation": recommendation,
                "reason": reason,
                "penalty_ids": [p["penalty_id"] for p in penalties],
                "collision": collision,
                "notify": NOTIFY,
                "created_at": clock.iso(clock.now()),
            }
        )

    absences = [p for p in active if p.get("absence_days") is not None]
    # Leave approved after an absence was entered for its day: not absence, not counted (第四条).
    if absences:
        on_leave = leave.days_on_leave(
            manager, date.fromisoformat(f"{month}-01"), date.fromisoformat(f"{month}-01") + timedelta(days=31)
        )
        absences = [p for p in absences if on_leave.get(date.fromisoformat(p["breach_date"]), 0) < 1]
    absent_days = sum((Decimal(str(p["absence_days"])) * int(p["occurrences"]) for p in absences), Decimal(0))
    # 000 第一篇 第四条 counts absence in days: "无故旷工两天者,扣罚当月全部底薪,无故旷工三天以上的,给予开除".
    # Single-day (and half-day) absences of a month add up to those rules.
    if record.get("absence_days") is not None and absent_days >= s.absence_dismissal_days:
        flag(
            f"ABSENCE.{manager}.{month}",
            "absence_dismissal",
            f"{absent_days} days' absence without cause in {month}",
            absences,
            "dismissal",
        )
    elif (
        record.get("absence_days") is not None
        and absent_days >= s.absence_base_salary_days
        and not any(p["rule_code"] == "ABSENT_2_DAYS" for p in absences)
    ):
        flag(
            f"ABSENCE2.{manager}.{month}",
            "absence_base_salary",
            f"{absent_days} days' absence without cause in {month}: ABSENT_2_DAYS (the month's base salary) " "applies",
            absences,
            "ABSENT_2_DAYS",
        )

    travel = [p for p in active if p["rule_code"] == "TRAVEL_RULE"]
    travel_count = sum(int(p["occurrences"]) for p in travel)
    if record["rule_code"] == "TRAVEL_RULE" and travel_count > s.travel_breaches_per_month_max:
        flag(
            f"TRAVEL.{manager}.{month}",
            "travel_transfer",
            f"{travel_count} travel-rule breaches in {month}",
            travel,
            "transfer",
        )

    same = [p for p in active if p["rule_code"] == record["rule_code"]]
    same_count = sum(int(p["occurrences"]) for p in same)
    if same_count >= s.repeat_breach_threshold:
        flag(
            f"REPEAT.{manager}.{record['rule_code']}.{month}",
            "repeated_breach",
            f"{same_count} breaches of {record['rule_code']} in {month}",
            same,
        )

    if record["rule_code"] == "FALSE_CLAIM":
        flag(
            f"FALSE_CLAIM.{record['penalty_id']}",
            "false_claim",
            f"false claim on {record['occurrences']} account(s)",
            [record],
            collision=record.get("collision"),
        )
    return raised


def list_flags(principal: Principal, branch_id: str | None, staff_id: str | None, limit: int, start_key):
    if principal.role == "supervisor" and branch_id and branch_id != principal.branch_id:
        raise Forbidden("supervisors read their own branch only")
    if staff_id:
        if principal.role == "supervisor" and (
            (staff := cached_staff(staff_id)) is None or staff["branch_id"] != principal.branch_id
        ):
            raise Forbidden("supervisors read their own branch only")
        return repo.list_flags(staff_id=staff_id, limit=limit, start_key=start_key)
    return repo.list_flags(branch_id=branch_id or principal.branch_id, limit=limit, start_key=start_key)


# --- overdue sweep ------------------------------------------------------------------------------------------
def sweep_overdue(run_date: date | None = None) -> dict:
    """Flags open cash penalties whose settlement day has passed.

    Reads only the PENALTYDUE#<day> buckets from the day after the watermark up to
    yesterday (at most penalty_overdue_catchup_days of them), so a missed run catches up.
    """
    s = get_settings()
    today = run_date or clock.today()
    last_day = today - timedelta(days=1)
    watermark = repo.get_watermark(OVERDUE_JOB)
    start = date.fromisoformat(watermark) + timedelta(days=1) if watermark else last_day
    start = max(start, last_day - timedelta(days=s.penalty_overdue_catchup_days - 1))
    system = Principal(kind="staff", id="system:penalty_overdue", role="system", branch_id="")
    flagged, days = [], 0
    day = start
    while day <= last_day:
        for candidate in repo.due_on(day):
            record = repo.get(candidate["penalty_id"])
            if not record or record["status"] != "open" or record.get("overdue") or record.get("due_on") != str(day):
                continue
            flag = {
                "flag_id": f"OVERDUE.{record['penalty_id']}",
                "kind": "penalty_overdue",
                "staff_id": record["manager_id"],
                "branch_id": record["branch_id"],
                "month": record["breach_date"][:7],
                "recommendation": None,
                "reason": f"cash penalty of {record['yuan']} yuan unpaid after {day}",
                "penalty_ids": [record["penalty_id"]],
                "collision": None,
                "notify": NOTIFY,
                "created_at": clock.iso(clock.now()),
            }
            # 000 第一篇: cash "两周内" - unpaid by then, the fine is taken from salary, and a points fine
            # taken from salary doubles (salary_deduction_yuan was computed at entry for that case).
            moved = {**record, "overdue": True, "settlement": "payroll"}
            try:
                # The flag is an outbox entry of the overdue write: a lost response cannot lose it.
                _write(
                    system,
                    record,
                    moved,
                    "moved_to_payroll",
                    f"cash settlement was due by {day}; deducted from salary",
                    {
                        "overdue": True,
                        "settlement": "payroll",
                        "salary_deduction_yuan": record["salary_deduction_yuan"],
                    },
                    extra_ops=[outbox.record_op(PENALTY_OVERDUE_FLAG, record["penalty_id"], {"flag": flag})],
                )
            except Conflict:
                continue  # settled or appealed meanwhile
            outbox.deliver_now(PENALTY_OVERDUE_FLAG, record["penalty_id"])
            flagged.append(record["penalty_id"])
        repo.set_watermark(OVERDUE_JOB, day.isoformat(), clock.iso(clock.now()))
        days += 1
        day += timedelta(days=1)
    logger.info("penalty overdue sweep", extra={"days": days, "flagged": len(flagged)})
    return {"from": start.isoformat(), "to": last_day.isoformat(), "days_read": days, "flagged": flagged}
