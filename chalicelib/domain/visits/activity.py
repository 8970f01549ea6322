"""Activity against the quotas of 002 第二十条: contacts a day, clients an outing, visit days a week, with
approved leave not held against the manager (000 第一篇 第四条). Also read by scorecards."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ... import clock
from ...config import get_settings
from ...models.visits import OUTING_KINDS, PHONE_KINDS, ActivityQuery
from .. import leave, workdays
from ..visit_ports import VISITS

if TYPE_CHECKING:
    from ...auth import Principal

NOT_COUNTED = {"pending_approval", "rejected"}  # logs the quotas do not count (yet)


def group_outings(logs: list[dict], window_hours: float) -> list[list[dict]]:
    """A day's outing logs grouped into outings: a log joins the outing of the same unit or outlet,
    or one whose last log was within `window_hours` (a trip out covers several clients, logged one by one)."""
    outings: list[list[dict]] = []
    for log in sorted(logs, key=lambda v: v["visited_at"]):
        at = datetime.fromisoformat(log["visited_at"])
        place = log.get("outlet_id") or log.get("unit_name")
        for outing in outings:
            last = datetime.fromisoformat(outing[-1]["visited_at"])
            same_place = place and place in {v.get("outlet_id") or v.get("unit_name") for v in outing}
            if same_place or (at - last).total_seconds() <= window_hours * 3600:
                outing.append(log)
                break
        else:
            outings.append([log])
    return outings


iso_week = clock.iso_week


def visit_days_required(quota: int, working_days: int, leave_days: Decimal) -> int:
    """ "三天出访" in a week, less in proportion to the working days on approved leave (rounded up):
    3 of 5 working days; one day's leave: 3 of 4 (2.4 up); three days': 2 (1.2 up); all five: 0.
    A week without leave needs the quota whatever its working days (as before leave existed)."""
    if not leave_days:
        return quota
    if working_days <= 0 or leave_days >= working_days:
        return 0
    return math.ceil(Decimal(quota) * (Decimal(working_days) - leave_days) / Decimal(working_days))


# --- activity against the quotas -----------------------------------------------------------------
def activity(principal: Principal, query: ActivityQuery) -> dict:
    manager_id = query.manager_id or principal.id
    from .reading import manager_in_scope  # reading imports nothing of this module's

    manager_in_scope(principal, manager_id)
    return activity_summary(manager_id, query.date_from, query.date_to)


def activity_summary(manager_id: str, start: date, end: date) -> dict:
    """Daily and weekly quantities against the quotas of 002 第二十条. Also used by scorecards."""
    s = get_settings()
    visits = [
        v
        for v in VISITS().all_manager_visits(manager_id, start.isoformat(), f"{end.isoformat()}T~")
        if v.get("status") not in NOT_COUNTED
    ]
    # Approved leave is not held against the manager (000 第一篇 第四条): a day on leave needs no contacts,
    # half a day half of them; a week needs visit days in proportion to its working days not on leave.
    on_leave = leave.days_on_leave(manager_id, start, end)
    by_day: dict[str, list[dict]] = {}
    for v in visits:
        by_day.setdefault(v["visited_at"][:10], []).append(v)
    days: list[dict] = []
    weeks: dict[str, dict] = {}
    day = start
    while day <= end:
        logs = by_day.get(day.isoformat(), [])
        outings = group_outings([v for v in logs if v["kind"] in OUTING_KINDS], s.outing_window_hours)
        clients = [sum(int(v.get("clients_count", 0)) for v in outing) for outing in outings]
        working = workdays.is_workday(day)
        phone = sum(1 for v in logs if v["kind"] in PHONE_KINDS)
        away = on_leave.get(day, Decimal(0)) if working else Decimal(0)
        phone_required = math.ceil(s.quota_phone_contacts_per_day * (1 - away)) if working else 0
        days.append(
            {
                "date": day,
                "working_day": working,
                "phone_contacts": phone,
                "visits": len(logs),
                "outings": len(outings),
                "clients_on_outings": sum(clients),
                "leave": str(away) if away else None,
                "phone_contacts_required": phone_required,
                "phone_quota_met": phone >= phone_required,
                "outing_quota_met": all(c >= s.quota_clients_per_outing for c in clients),
                "outings_below_client_quota": sum(1 for c in clients if c < s.quota_clients_per_outing),
            }
        )
        week = weeks.setdefault(
            iso_week(day),
            {"week": iso_week(day), "visit_days": 0, "visit_dates": [], "working_days": 0, "leave_days": Decimal(0)},
        )
        if working:
            week["working_days"] += 1
            week["leave_days"] += away
        if outings:  # "三天出访": days out visiting; an outlet shift is not a visit
            week["visit_days"] += 1
            week["visit_dates"].append(day)
        day += timedelta(days=1)
    for week in weeks.values():
        week["visit_days_required"] = visit_days_required(
            s.quota_visit_days_per_week, week["working_days"], week["leave_days"]
        )
        week["visit_days_quota_met"] = week["visit_days"] >= week["visit_days_required"]
        week["leave_days"] = str(week["leave_days"])
    working_days = [d for d in days if d["working_day"]]
    totals = {
        "phone_contacts": sum(d["phone_contacts"] for d in days),
        "visits": sum(d["visits"] for d in days),
        "outings": sum(d["outings"] for d in days),
        "clients_on_outings": sum(d["clients_on_outings"] for d in days),
        "working_days": len(working_days),
        "working_days_phone_quota_met": sum(d["phone_quota_met"] for d in working_days),
        "outings_below_client_quota": sum(d["outings_below_client_quota"] for d in days),
        "leave_days": str(sum(on_leave.values(), Decimal(0))),
    }
    return {
        "manager_id": manager_id,
        "date_from": start,
        "date_to": end,
        "days": days,
        "weeks": list(weeks.values()),
        "totals": totals,
        "quotas": {
            "phone_contacts_per_day": s.quota_phone_contacts_per_day,
            "clients_per_outing": s.quota_clients_per_outing,
            "visit_days_per_week": s.quota_visit_days_per_week,
        },
    }
