"""Monthly scorecards: score after deductions, money owed and paid, appeals, flags, activity.

Visit activity, prospect and complaint counts come from the visits, prospects and complaints areas.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..config import get_settings
from ..errors import Forbidden, NotFound
from .csv_export import to_csv
from .penalty_ports import PENALTIES
from .scorecard_ports import PROSPECT_COUNTS

if TYPE_CHECKING:
    from ..auth import Principal

INACTIVE = {"voided", "overturned"}
OWED_STATUSES = {"open", "under_appeal"}
PAID_STATUSES = {"paid_cash", "deducted_salary"}


# --- figures from the visits and prospects areas ------------------------------------------------------
def activity_summary(manager_id: str, start: date, end: date) -> dict:
    from . import visits

    return visits.activity_summary(manager_id, start, end)


def prospect_counts(manager_id: str, month: str) -> dict:
    """Prospects the manager registered, and converted, in the month (the prospects area's counters)."""
    return PROSPECT_COUNTS().month_counts(manager_id, month)


def complaint_counts(manager_id: str, month: str) -> dict:
    """Complaints the manager owns that were received in the month (002 第二十条 §4)."""
    from . import complaints
    from .complaint_ports import COMPLAINTS

    return complaints.month_counts(COMPLAINTS().owner_month(manager_id, month))


def contact_share(manager_id: str, month: str) -> dict:
    """The share of A and B clients' weekly contacts and periodic visits met (002 第十九条/第二十条)."""
    from . import contact_plan

    return contact_plan.month_share(manager_id, month)


# --- figures ------------------------------------------------------------------------------------------
def month_bounds(month: str) -> tuple[date, date]:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, monthrange(year, mon)[1])


def _quotas() -> dict:
    s = get_settings()
    return {
        "phone_contacts_per_day": s.quota_phone_contacts_per_day,
        "clients_per_outing": s.quota_clients_per_outing,
        "visit_days_per_week": s.quota_visit_days_per_week,
    }


def compute(manager: dict, month: str, penalties: list[dict], flags: list[dict]) -> dict:
    """A manager's scorecard from their penalties with breaches in the month and the month's flags."""
    s = get_settings()
    start, end = month_bounds(month)
    by_rule: dict[str, dict] = defaultdict(lambda: {"penalties": 0, "occurrences": 0, "points": 0})
    deducted = 0
    owed = paid = Decimal("0.00")
    pending_payroll = open_appeals = voided = 0
    hr = []
    for p in penalties:
        if p["status"] in INACTIVE:
            voided += 1
            continue
        row = by_rule[p["rule_code"]]
        row["penalties"] += 1
        row["occurrences"] += int(p["occurrences"])
        row["points"] += int(p["points"])
        deducted += int(p["points"])
        if p["status"] == "under_appeal":
            open_appeals += 1
        if p["status"] in OWED_STATUSES:
            if p.get("yuan") is not None:
                owed += Decimal(str(p["yuan"]))
            elif p.get("amount_status") == "payroll_to_compute":
                pending_payroll += 1
        if p["status"] in PAID_STATUSES and p.get("settled"):
            paid += Decimal(str(p["settled"]["yuan"]))
        for r in p.get("hr_recommendations") or []:
            hr.append({"penalty_id": p["penalty_id"], "recommendation": r})
    month_flags = [f for f in flags if f.get("month") == month]
    visits = activity_summary(manager["staff_id"], start, end)
    return {
        "manager_id": manager["staff_id"],
        "manager_name": manager.get("name", ""),
        "branch_id": manager["branch_id"],
        "month": month,
        "starting_score": s.starting_score,
        "points_deducted": deducted,
        "score": s.starting_score - deducted,
        "points_by_rule": dict(sorted(by_rule.items())),
        "yuan_owed": owed,
        "yuan_paid": paid,
        "penalties_pending_payroll": pending_payroll,
        "open_appeals": open_appeals,
        "voided_or_overturned": voided,
        "hr_recommendations": hr,
        "flags": [
            {
                "flag_id": f["flag_id"],
                "kind": f["kind"],
                "recommendation": f.get("recommendation"),
                "reason": f["reason"],
            }
            for f in month_flags
        ],
        "visits": None if visits is None else {"quotas": _quotas(), "activity": visits},
        "prospects": prospect_counts(manager["staff_id"], month),
        "complaints": complaint_counts(manager["staff_id"], month),
        "contact_plan": contact_share(manager["staff_id"], month),
    }


def scorecard(principal: Principal, manager_id: str, month: str) -> dict:
    manager = PENALTIES().get_staff(manager_id)
    allowed = (
        principal.role in ("compliance", "admin")
        or (principal.role == "client_manager" and principal.id == manager_id)
        or (principal.role == "supervisor" and manager is not None and manager["branch_id"] == principal.branch_id)
    )
    if not manager or not allowed or manager["role"] != "client_manager":
        raise NotFound(f"no scorecard for {manager_id}")
    return compute(
        manager, month, PENALTIES().manager_month(manager_id, month), PENALTIES().staff_flags_since(manager_id, month)
    )


def rollup(principal: Principal, month: str, branch_id: str | None) -> dict:
    if principal.role == "supervisor" and branch_id and branch_id != principal.branch_id:
        raise Forbidden("supervisors read their own branch only")
    branch_id = branch_id or principal.branch_id
    managers = PENALTIES().branch_managers(branch_id)
    penalties: dict[str, list[dict]] = defaultdict(list)
    for p in PENALTIES().branch_month(branch_id, month):
        penalties[p["manager_id"]].append(p)
    flags: dict[str, list[dict]] = defaultdict(list)
    for f in PENALTIES().branch_flags_since(branch_id, month):
        flags[f["staff_id"]].append(f)
    cards = [
        compute(m, month, penalties[m["staff_id"]], flags[m["staff_id"]])
        for m in sorted(managers, key=lambda m: m["staff_id"])
    ]
    totals = {
        "managers": len(cards),
        "points_deducted": sum(c["points_deducted"] for c in cards),
        "yuan_owed": sum((c["yuan_owed"] for c in cards), Decimal("0.00")),
        "yuan_paid": sum((c["yuan_paid"] for c in cards), Decimal("0.00")),
        "open_appeals": sum(c["open_appeals"] for c in cards),
        "flags": sum(len(c["flags"]) for c in cards),
    }
    return {"branch_id": branch_id, "month": month, "totals": totals, "scorecards": cards}


CSV_COLUMNS = [
    "month",
    "branch_id",
    "manager_id",
    "manager_name",
    "starting_score",
    "points_deducted",
    "score",
    "yuan_owed",
    "yuan_paid",
    "penalties_pending_payroll",
    "open_appeals",
    "flags",
]


def rollup_csv(principal: Principal, month: str, branch_id: str | None) -> str:
    data = rollup(principal, month, branch_id)
    rows = ([{**c, "flags": len(c["flags"])}[col] for col in CSV_COLUMNS] for c in data["scorecards"])
    return to_csv(CSV_COLUMNS, rows)
