"""Entering a penalty (扣罚): the catalogue's amounts, the approved-leave check, the escalation flags of
the manager's month, one transaction. Previewing it: the same checks, nothing stored."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ... import clock, submission
from ...config import get_settings
from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models.penalties import PenaltyIn, PenaltyPreviewIn
from ...observability import logger
from .. import leave, penalty_rules, workdays
from ..penalty_ports import PENALTIES, EntryRefused
from .ledger import escalation_flags, ledger_active, ledger_entry, ledger_of
from .lifecycle import audit_entry

if TYPE_CHECKING:
    from ...auth import Principal


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
        ledger, version = ledger_of(record)
        ledger["flags"] = sorted(set(ledger.get("flags") or ()) | raised)
        flags = [
            f for f in escalation_flags(record, ledger_active(ledger, record)) if f["flag_id"] not in ledger["flags"]
        ]
        after = {
            **ledger,
            "version": (version or 0) + 1,
            "complete": True,
            "stale": None,
            "penalties": {**ledger["penalties"], record["penalty_id"]: ledger_entry(record)},
            "flags": ledger["flags"] + [f["flag_id"] for f in flags],
        }
        try:
            PENALTIES().enter(
                record,
                audit_entry(
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
        except EntryRefused as refused:
            if refused.exists:
                stored = submission.replay_of(PENALTIES().get(record["penalty_id"]))  # this submission's earlier write
                if stored is None:
                    raise Conflict("a penalty with this id exists") from None
                return stored
            if refused.manager:
                _refuse_manager(body.manager_id, branch_id)
            if refused.stale:
                PENALTIES().forget_rule_scopes()  # a version was added meanwhile, or another entry moved the ledger
            raised.update(refused.flags)
            continue
        for f in flags:
            logger.info("escalation flag raised", extra={"flag_id": f["flag_id"], "kind": f["kind"]})
        logger.info("penalty entered", extra={"penalty_id": record["penalty_id"], "rule_code": rule["code"]})
        return record
    raise Conflict("the penalty could not be entered for concurrent changes; retry")


def _refuse_manager(manager_id: str, branch_id: str) -> None:
    """Why the transaction's manager check refused (read only then); returns if it passes now (a race)."""
    manager = PENALTIES().get_staff(manager_id)
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
    covered: list[date] = []
    day = breach_date
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
    found = PENALTIES().get_collision(body.collision_id)
    # A collision this branch took part in (its prospect, or its manager's attempt); another's is unknown.
    if not found or branch_id not in (found.get("branch_id"), found.get("attempted_by_branch")):
        raise NotFound.reference("collision_id", f"collision {body.collision_id}")
    return {
        "collision_id": body.collision_id,
        "prospect_id": found.get("prospect_id"),
        "recorded_at": found.get("at") or found.get("created_at"),
    }
