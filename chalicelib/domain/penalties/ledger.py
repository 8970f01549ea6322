"""The escalation flags (supervisors' and compliance's): the rules over a manager's active penalties of a
breach month, and the month ledger they read instead of querying the month at every entry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ... import clock
from ...config import get_settings
from ...errors import Forbidden
from ...observability import logger
from .. import leave
from ..penalty_ports import PENALTIES

if TYPE_CHECKING:
    from ...auth import Principal

INACTIVE = {"voided", "overturned"}
NOTIFY = ["supervisor", "compliance"]


# --- the month ledger: what the escalation rules read instead of the month's penalties ----------------------
def ledger_entry(record: dict) -> dict:
    return {
        "rule_code": record["rule_code"],
        "occurrences": int(record["occurrences"]),
        "absence_days": record.get("absence_days"),
        "breach_date": record["breach_date"],
    }


def ledger_of(record: dict) -> tuple[dict, int | None]:
    """The manager's ledger of the breach month and its version (None: not stored). One consistent read;
    a month without one (its first penalty, or entered before ledgers) or marked stale by a void of a
    penalty entered before ledgers is rebuilt from the month's penalties, once."""
    manager, month = record["manager_id"], record["breach_date"][:7]
    stored = PENALTIES().get_ledger(manager, month)
    version = int(stored["version"]) if stored else None
    if stored and stored.get("complete") and not stored.get("stale"):
        return {**stored, "penalties": dict(stored.get("penalties") or {})}, version
    penalties = {
        p["penalty_id"]: ledger_entry(p)
        for p in PENALTIES().manager_month(manager, month)
        if p["status"] not in INACTIVE and p["penalty_id"] != record["penalty_id"]
    }
    return {
        "manager_id": manager,
        "month": month,
        "penalties": penalties,
        "flags": list((stored or {}).get("flags") or ()),
    }, version


def ledger_active(ledger: dict, record: dict) -> list[dict]:
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


# --- escalations --------------------------------------------------------------------------------------------
def _month_active(record: dict) -> list[dict]:
    """The manager's active penalties in the breach month, this one included (GSIs may lag a write)."""
    month = record["breach_date"][:7]
    others = [
        p for p in PENALTIES().manager_month(record["manager_id"], month) if p["penalty_id"] != record["penalty_id"]
    ]
    return [p for p in others + [record] if p["status"] not in INACTIVE]


def raise_escalations(record: dict) -> list[dict]:
    """The flags of a penalty entered before month ledgers (its outbox entry may still be pending): the
    same rules over the month's penalties as read now; each flag is raised once (deterministic id)."""
    raised = []
    for out in escalation_flags(record, _month_active(record)):
        if PENALTIES().put_flag(out):
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
            (staff := PENALTIES().scoped_staff(staff_id)) is None or staff["branch_id"] != principal.branch_id
        ):
            raise Forbidden("supervisors read their own branch only")
        return PENALTIES().list_flags(staff_id=staff_id, limit=limit, start_key=start_key)
    return PENALTIES().list_flags(branch_id=branch_id or principal.branch_id, limit=limit, start_key=start_key)
