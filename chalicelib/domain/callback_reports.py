"""Monthly callback statistics, regulatory coverage and attrition (seed 000 第五篇 第十六条, CSRC 2010).

The figures are pure functions over the month's task and problem items, so a
seeded month can be checked by hand; the fetchers read one branch-month partition each.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from .. import clock
from ..auth import Principal
from ..config import get_settings
from ..errors import Forbidden, ValidationFailed
from ..models.accounts import CloseReason
from ..models.tasks import OPEN_STATUSES, Trigger
from ..storage import callback_work as repo
from ..storage import problems as problem_repo
from .csv_export import to_csv

AGENT = "callback_agent"
CENT = Decimal("0.01")


def percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP))


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def scope_branch(principal: Principal, branch_id: str | None) -> str:
    """Agents report on their own branch; compliance and admins on any."""
    if principal.role == AGENT:
        if branch_id and branch_id != principal.branch_id:
            raise Forbidden("agents report on their own branch only")
        return principal.branch_id
    return branch_id or principal.branch_id


# --- monthly statistics ----------------------------------------------------------------------------


def monthly_figures(tasks: list[dict], problems: list[dict], now: datetime) -> dict:
    done = [t for t in tasks if t["status"] == "done"]
    on_time = [t for t in done if t.get("completed_at") and _at(t["completed_at"]) <= _at(t["due_at"])]
    attempted = [t for t in tasks if int(t.get("attempts", 0)) > 0]
    reached = [t for t in attempted if (t.get("outcome") or {}).get("reached")]
    scores = [int(t["outcome"]["satisfaction"]) for t in done if (t.get("outcome") or {}).get("satisfaction")]
    overdue_tasks = [t for t in tasks if t["status"] in OPEN_STATUSES
                     and (t.get("overdue") or _at(t["due_at"]) < now)]
    late_done = [t for t in done if t not in on_time]
    unresolved = [p for p in problems if p["status"] in ("open", "in_progress")]
    overdue_problems = [p for p in problems if p.get("overdue")
                        or (p["status"] in ("open", "in_progress") and _at(p["due_at"]) < now)]
    average = (Decimal(sum(scores)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP) if scores else None
    return {
        "tasks": {
            "total": len(tasks),
            "by_trigger": dict(sorted(Counter(t["trigger"] for t in tasks).items())),
            "completed": len(done),
            "completion_rate": percent(len(done), len(tasks)),
            "on_time": len(on_time),
            "on_time_rate": percent(len(on_time), len(done)),
            "completed_late": len(late_done),
            "closed_unreached": sum(1 for t in tasks if t["status"] == "closed_unreached"),
            "attempted": len(attempted),
            "reached": len(reached),
            "reach_rate": percent(len(reached), len(attempted)),
            "average_satisfaction": str(average) if average is not None else None,
            "overdue_open": len(overdue_tasks),
        },
        "problems": {
            "total": len(problems),
            "by_category": dict(sorted(Counter(p["category"] for p in problems).items())),
            "by_cause": dict(sorted(Counter(p["cause"] for p in problems).items())),
            "by_severity": dict(sorted(Counter(p["severity"] for p in problems).items())),
            "unresolved": len(unresolved),
            "overdue": len(overdue_problems),
            "overdue_ids": sorted(p["problem_id"] for p in overdue_problems),
        },
    }


def monthly(principal: Principal, month: str, branch_id: str | None) -> dict:
    branch = scope_branch(principal, branch_id)
    figures = monthly_figures(repo.tasks_of_month(branch, month), problem_repo.all_branch_month(branch, month),
                              clock.now())
    return {"month": month, "branch_id": branch, "generated_at": clock.iso(clock.now()), **figures}


def monthly_csv(report: dict) -> str:
    def rows():
        for section in ("tasks", "problems"):
            for metric, value in report[section].items():
                if isinstance(value, dict):
                    yield from ([section, metric, key, n] for key, n in value.items())
                elif isinstance(value, list):
                    yield [section, metric, "", " ".join(value)]
                else:
                    yield [section, metric, "", value]

    return to_csv(["section", "metric", "key", "value"], rows())


# --- regulatory coverage -------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _months_between(start: date, end: date) -> list[str]:
    months, cursor = [], date(start.year, start.month, 1)
    while cursor <= end:
        months.append(cursor.isoformat()[:7])
        cursor = add_months(cursor, 1)
    return months


def new_account_coverage(tasks: list[dict], opened_on: dict[str, str], opened_from: date, opened_to: date,
                         today: date) -> dict:
    """Accounts opened in the period (one new_account task each) reached within the window, with fallbacks."""
    months = get_settings().coverage_new_account_months
    by_account: dict[str, list[dict]] = {}
    for t in tasks:
        by_account.setdefault(t["account_id"], []).append(t)
    accounts, covered, still_open, missed = [], 0, [], []
    for account_id, account_tasks in sorted(by_account.items()):
        if not any(t["trigger"] == Trigger.new_account.value for t in account_tasks):
            continue
        opened = opened_on.get(account_id)
        if not opened:
            new_task = next(t for t in account_tasks if t["trigger"] == Trigger.new_account.value)
            opened = (new_task.get("detail") or {}).get("opened_on") or str(new_task["business_date"])
        opened_day = date.fromisoformat(str(opened)[:10])
        if not opened_from <= opened_day <= opened_to:
            continue
        accounts.append(account_id)
        deadline = add_months(opened_day, months)
        ok = any(t["status"] == "done" and t.get("completed_at")
                 and clock.local_date(_at(t["completed_at"])) <= deadline for t in account_tasks)
        if ok:
            covered += 1
        elif any(t["status"] in OPEN_STATUSES for t in account_tasks) and today <= deadline:
            still_open.append({"account_id": account_id, "opened_on": opened_day.isoformat(),
                               "deadline": deadline.isoformat(), "days_left": (deadline - today).days})
        else:
            missed.append({"account_id": account_id, "opened_on": opened_day.isoformat(),
                           "deadline": deadline.isoformat()})
    return {"accounts": len(accounts), "called_back_within_window": covered,
            "percent": percent(covered, len(accounts)),
            "still_open": sorted(still_open, key=lambda r: r["days_left"]), "missed": missed}


def existing_coverage(tasks: list[dict], year_end_clients: int | None) -> dict:
    """Distinct existing clients (accounts with no new-account callback this year) reached, against the 10% target."""
    ratio = get_settings().coverage_existing_ratio
    new_accounts = {t["account_id"] for t in tasks if t["trigger"] == Trigger.new_account.value}
    reached = {t["account_id"] for t in tasks
               if t["account_id"] not in new_accounts and t["status"] == "done"
               and (t.get("outcome") or {}).get("reached")}
    target = math.ceil(Decimal(year_end_clients) * ratio) if year_end_clients is not None else None
    return {"called_back": len(reached), "year_end_clients": year_end_clients, "ratio": str(ratio),
            "target": target, "percent_of_target": percent(len(reached), target) if target else None,
            "met": (len(reached) >= target) if target is not None else None}


def coverage(principal: Principal, *, branch_id, opened_from: date, opened_to: date, year: int | None,
             year_end_clients: int | None) -> dict:
    if opened_to < opened_from:
        raise ValidationFailed.field("query.opened_to", "must not be before opened_from")
    if (opened_to - opened_from).days > 366:
        raise ValidationFailed.field("query.opened_to", "the period is at most one year")
    branch = scope_branch(principal, branch_id)
    today = clock.today()
    year = year or today.year
    # New-account tasks are selected the day after opening; read the months the period's tasks fall in.
    window_end = min(add_months(opened_to, get_settings().coverage_new_account_months), max(today, opened_to))
    tasks = [t for m in _months_between(opened_from, window_end) for t in repo.tasks_of_month(branch, m)]
    new_ids = sorted({t["account_id"] for t in tasks if t["trigger"] == Trigger.new_account.value})
    new = new_account_coverage(tasks, repo.accounts_opened_on(new_ids) if new_ids else {}, opened_from,
                               opened_to, today)
    if year_end_clients is None:
        stored = repo.get_year_end(branch, year - 1)
        year_end_clients = int(stored["clients"]) if stored else None
    year_tasks = [t for m in _months_between(date(year, 1, 1), min(date(year, 12, 31), today))
                  for t in repo.tasks_of_month(branch, m)]
    return {"branch_id": branch, "new_accounts": {"opened_from": opened_from.isoformat(),
                                                  "opened_to": opened_to.isoformat(), **new},
            "existing_clients": {"year": year, **existing_coverage(year_tasks, year_end_clients)}}


def set_year_end(principal: Principal, body) -> dict:
    record = {**body.model_dump(), "set_by": principal.id, "set_at": clock.iso(clock.now())}
    repo.put_year_end(record)
    return record


# --- attrition --------------------------------------------------------------------------------------------


def attrition_figures(tasks: list[dict]) -> dict:
    closed = [t for t in tasks if t["trigger"] == Trigger.closed_account.value]
    known = {r.value for r in CloseReason}

    def reason(t: dict) -> str:
        value = (t.get("outcome") or {}).get("closing_reason") or (t.get("detail") or {}).get("reason")
        return value if value in known else "unknown"

    counts = Counter(reason(t) for t in closed)
    return {"closed_accounts": len(closed),
            "by_reason": {r: {"count": n, "percent": percent(n, len(closed))}
                          for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}}


def attrition(principal: Principal, month: str, branch_id: str | None) -> dict:
    branch = scope_branch(principal, branch_id)
    return {"month": month, "branch_id": branch, **attrition_figures(repo.tasks_of_month(branch, month))}
