"""Contact frequency by client value class (DOMAIN 1; seed 002, house policy).

002 第十九条: clients are managed by class A/B/C (share of volume 70/20/10, of clients 10/20/70).
002 第二十条 §3: "确保A类、B类客户每周至少沟通一次电话" - A and B clients are contacted at least once a week;
§4: "A类客户每月至少访问一次,B类客户至少两个月访问一次" - A visited every month, B every two months
(`FIELDDESK_CONTACT_VISIT_MONTHS_A/B`).

A contact is a visit log of the serving manager that names the account (`account_id`): a phone,
WeChat/SMS or online log counts for the week (as for the daily quota, "电话(或网上)沟通"), an on-site visit
or seminar counts for the week and as the visit. A log waiting for the supervisor's approval counts once
approved. The class comes from the supervisor (or the core system's feed, which sets the same fields).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .. import clock
from ..config import get_settings
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models.common import mask_name
from ..models.contact_plan import ValueClass, ValueClassIn
from ..models.visits import OUTING_KINDS, PHONE_KINDS
from .contact_plan_ports import CONTACT_PLAN, AccountMoved
from .visit_ports import Contact

if TYPE_CHECKING:
    from ..auth import Principal

PLANNED = (ValueClass.A.value, ValueClass.B.value)
ORDER = {"overdue": 0, "due": 1, "met": 2, "none": 3}


def _visit_months(value_class: str) -> int | None:
    s = get_settings()
    return {ValueClass.A.value: s.contact_visit_months_a, ValueClass.B.value: s.contact_visit_months_b}.get(value_class)


def _period(day: date, months: int) -> list[str]:
    """The months of the period holding `day`: periods of `months` months counted from January."""
    first = (day.month - 1) // months * months + 1
    return [f"{day.year}-{m:02d}" for m in range(first, min(first + months, 13))]


def _previous_period(day: date, months: int) -> list[str]:
    start = date.fromisoformat(_period(day, months)[0] + "-01")
    return _period(start - timedelta(days=1), months)


def contact_of(visit: dict) -> Contact | None:
    """What a counted visit log adds to the contact plan, written in the log's own transaction."""
    if not visit.get("account_id") or visit.get("status") not in ("recorded", "approved_late"):
        return None
    kind = visit["kind"]
    if kind not in PHONE_KINDS and kind not in OUTING_KINDS:
        return None  # an outlet shift is not a contact with this client
    day = clock.local_date(datetime.fromisoformat(visit["visited_at"]))
    return Contact(
        visit["account_id"],
        visit["manager_id"],
        clock.iso_week(day),
        day.isoformat()[:7] if kind in OUTING_KINDS else None,
    )


def duties(value_class: str, contacts: dict | None, on: date) -> dict:
    weeks = set((contacts or {}).get("contact_weeks") or ())
    months = set((contacts or {}).get("visit_months") or ())
    if value_class not in PLANNED:
        return {"phone": "none", "visit": "none"}
    if clock.iso_week(on) in weeks:
        phone = "met"
    else:
        phone = "due" if clock.iso_week(on - timedelta(days=7)) in weeks else "overdue"
    every = _visit_months(value_class)
    if not every:
        visit = "none"
    elif months & set(_period(on, every)):
        visit = "met"
    else:
        visit = "due" if months & set(_previous_period(on, every)) else "overdue"
    return {"phone": phone, "visit": visit}


def _manager_in_scope(principal: Principal, manager_id: str | None) -> str:
    if principal.role == "client_manager":
        if manager_id and manager_id != principal.id:
            raise Forbidden("client managers see their own contact plan only")
        return principal.id
    if not manager_id:
        raise ValidationFailed.field("query.manager_id", "name the manager whose plan to show")
    manager = CONTACT_PLAN().get_staff(manager_id)
    if (
        not manager
        or manager.get("role") != "client_manager"
        or (principal.role == "supervisor" and manager["branch_id"] != principal.branch_id)
    ):
        raise NotFound.reference("manager_id", f"manager {manager_id}")
    return manager_id


def plan(principal: Principal, manager_id: str | None, on: date | None) -> dict:
    manager_id = _manager_in_scope(principal, manager_id)
    return plan_of(manager_id, on or clock.today())


def _book(manager_id: str) -> tuple[list[dict], dict[str, dict]]:
    """Two reads: the manager's open A and B accounts (one index) and their contact items (one batch)."""
    accounts = [
        a
        for a in CONTACT_PLAN().manager_accounts(manager_id)
        if a.get("status") == "open" and a.get("value_class") in PLANNED
    ]
    return accounts, CONTACT_PLAN().contacts_of(manager_id, [a["account_id"] for a in accounts]) if accounts else {}


def plan_of(manager_id: str, on: date) -> dict:
    accounts, contacts = _book(manager_id)
    items = []
    for a in accounts:
        c = contacts.get(a["account_id"])
        weeks, months = sorted((c or {}).get("contact_weeks") or ()), sorted((c or {}).get("visit_months") or ())
        items.append(
            {
                "account_id": a["account_id"],
                "client_name_masked": mask_name(a.get("client_name")),
                "value_class": a["value_class"],
                **duties(a["value_class"], c, on),
                "last_contact_week": weeks[-1] if weeks else None,
                "last_visit_month": months[-1] if months else None,
            }
        )
    items.sort(key=lambda i: (min(ORDER[i["phone"]], ORDER[i["visit"]]), i["value_class"], i["account_id"]))
    visits = [i for i in items if i["visit"] != "none"]
    return {
        "manager_id": manager_id,
        "week": clock.iso_week(on),
        "month": on.isoformat()[:7],
        "on": on,
        "items": items,
        "phone_required": len(items),
        "phone_met": sum(i["phone"] == "met" for i in items),
        "visit_required": len(visits),
        "visit_met": sum(i["visit"] == "met" for i in visits),
    }


def set_value_class(principal: Principal, account_id: str, body: ValueClassIn) -> dict:
    """The supervisor of the account's branch sets its class; each change is kept with who, when and why."""
    for _ in range(3):
        account = CONTACT_PLAN().get_account(account_id)
        if not account or (principal.role == "supervisor" and account.get("branch_id") != principal.branch_id):
            raise NotFound(f"account {account_id} not found")
        change = {
            "value_class": body.value_class.value,
            "source": "supervisor",
            "by": principal.id,
            "at": clock.iso(clock.now()),
            "reason": body.reason,
            "previous_class": account.get("value_class"),
        }
        try:
            CONTACT_PLAN().set_value_class(account, change)
        except AccountMoved:
            continue  # the feed moved the account meanwhile: read it again
        return {
            "account_id": account_id,
            "value_class": change["value_class"],
            "value_class_source": "supervisor",
            "value_class_set_by": principal.id,
            "value_class_set_at": change["at"],
        }
    raise Conflict("the account kept changing; try again")


def month_share(manager_id: str, month: str) -> dict:
    """The scorecard's share met in a month, for the manager's current A and B clients: one weekly contact
    per client for each ISO week whose Thursday falls in the month (and has begun); one visit per client
    for each visit period that ends in the month (A: every month; B: the second month of its pair)."""
    accounts, contacts = _book(manager_id)
    year, mon = int(month[:4]), int(month[5:7])
    first = date(year, mon, 1)
    weeks, day = [], first
    while day.month == mon:
        thursday = day + timedelta(days=3 - day.weekday())
        if thursday.month == mon and thursday - timedelta(days=3) <= clock.today() and clock.iso_week(day) not in weeks:
            weeks.append(clock.iso_week(day))
        day += timedelta(days=1)
    phone_required = phone_met = visit_required = visit_met = 0
    for a in accounts:
        c = contacts.get(a["account_id"]) or {}
        contacted, visited = set(c.get("contact_weeks") or ()), set(c.get("visit_months") or ())
        phone_required += len(weeks)
        phone_met += len(contacted & set(weeks))
        every = _visit_months(a["value_class"])
        period = _period(first, every) if every else []
        if period and period[-1] == month:
            visit_required += 1
            visit_met += bool(visited & set(period))
    return {
        "weeks": weeks,
        "phone_required": phone_required,
        "phone_met": phone_met,
        "phone_share": round(phone_met / phone_required, 4) if phone_required else None,
        "visit_required": visit_required,
        "visit_met": visit_met,
        "visit_share": round(visit_met / visit_required, 4) if visit_required else None,
    }
