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
from ..models.tasks import COVERAGE_TRIGGERS, OPEN_STATUSES, Trigger
from .callback_report_ports import CALLBACK_REPORTS
from .csv_export import to_csv
from .deadlines import add_months
from .problems_ports import PROBLEMS

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
    overdue_tasks = [t for t in tasks if t["status"] in OPEN_STATUSES and (t.get("overdue") or _at(t["due_at"]) < now)]
    late_done = [t for t in done if t not in on_time]
    unresolved = [p for p in problems if p["status"] in ("open", "in_progress")]
    overdue_problems = [
        p for p in problems if p.get("overdue") or (p["status"] in ("open", "in_progress") and _at(p["due_at"]) < now)
    ]
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
    figures = monthly_figures(
        CALLBACK_REPORTS().tasks_of_month(branch, month), PROBLEMS().all_branch_month(branch, month), clock.now()
    )
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


def _months_between(start: date, end: date) -> list[str]:
    months, cursor = [], date(start.year, start.month, 1)
    while cursor <= end:
        months.append(cursor.isoformat()[:7])
        cursor = add_months(cursor, 1)
    return months


def new_account_coverage(opened: dict[str, str], tasks: list[dict], today: date) -> dict:
    """CSRC 2010: every new account called back within one month of opening.

    `opened` are the accounts the feed says opened in the period (account id -> opened_on), so an
    account that never got a task (a day the job did not run) shows as missed instead of vanishing;
    `tasks` are the branch's tasks of the months concerned (a fallback letter counts for its account)."""
    months = get_settings().coverage_new_account_months
    by_account: dict[str, list[dict]] = {}
    for t in tasks:
        if t["account_id"] in opened and t["trigger"] in (Trigger.new_account.value, Trigger.fallback.value):
            by_account.setdefault(t["account_id"], []).append(t)
    in_time, late, still_open, missed = [], [], [], []
    for account_id, opened_on in sorted(opened.items()):
        opened_day = date.fromisoformat(str(opened_on)[:10])
        deadline = add_months(opened_day, months)
        row = {"account_id": account_id, "opened_on": opened_day.isoformat(), "deadline": deadline.isoformat()}
        account_tasks = by_account.get(account_id, [])
        done = sorted(
            clock.local_date(_at(t["completed_at"]))
            for t in account_tasks
            if t["status"] == "done" and t.get("completed_at")
        )
        if done and done[0] <= deadline:
            in_time.append(account_id)
        elif done:
            late.append({**row, "called_back_on": done[0].isoformat()})
        elif any(t["status"] in OPEN_STATUSES for t in account_tasks) and today <= deadline:
            still_open.append({**row, "days_left": (deadline - today).days})
        else:
            missed.append({**row, "reason": "not_done_by_deadline" if account_tasks else "no_task"})
    return {
        "accounts": len(opened),
        "called_back_within_window": len(in_time),
        "percent": percent(len(in_time), len(opened)),
        "called_back_late": late,
        "still_open": sorted(still_open, key=lambda r: r["days_left"]),
        "missed": missed,
    }


def has_regulator_content(task: dict) -> bool:
    """A callback counts for the regulator only if it reached the client and covered the checklist."""
    outcome = task.get("outcome") or {}
    return task["status"] == "done" and bool(outcome.get("reached")) and bool(outcome.get("checklist"))


def existing_coverage(tasks: list[dict], year_end_clients: int | None, members: set[str] | None) -> dict:
    """Distinct clients of last year-end's denominator reached by a callback with the regulator's content,
    against the 10% target. Without a snapshot (`members` None) every existing client reached counts."""
    ratio = get_settings().coverage_existing_ratio
    reached = {
        t["account_id"]
        for t in tasks
        if t["trigger"] in COVERAGE_TRIGGERS
        and has_regulator_content(t)
        and (members is None or t["account_id"] in members)
    }
    target = math.ceil(Decimal(year_end_clients) * ratio) if year_end_clients is not None else None
    return {
        "called_back": len(reached),
        "year_end_clients": year_end_clients,
        "ratio": str(ratio),
        "target": target,
        "percent_of_target": percent(len(reached), target) if target else None,
        "met": (len(reached) >= target) if target is not None else None,
        "denominator": "snapshot" if members is not None else ("manual" if year_end_clients is not None else None),
    }


def coverage(
    principal: Principal,
    *,
    branch_id,
    opened_from: date,
    opened_to: date,
    year: int | None,
    year_end_clients: int | None,
) -> dict:
    if opened_to < opened_from:
        raise ValidationFailed.field("query.opened_to", "must not be before opened_from")
    if (opened_to - opened_from).days > 366:
        raise ValidationFailed.field("query.opened_to", "the period is at most one year")
    branch = scope_branch(principal, branch_id)
    today = clock.today()
    year = year or today.year
    opened = CALLBACK_REPORTS().accounts_opened_between(branch, opened_from, opened_to)
    # Tasks of the period's accounts fall in the months from the opening to the one-month limit.
    window_end = min(add_months(opened_to, get_settings().coverage_new_account_months), max(today, opened_to))
    tasks = [t for m in _months_between(opened_from, window_end) for t in CALLBACK_REPORTS().tasks_of_month(branch, m)]
    new = new_account_coverage(opened, tasks, today)
    stored = CALLBACK_REPORTS().get_year_end(branch, year - 1)
    members = (
        CALLBACK_REPORTS().year_end_members(year - 1, branch) if stored and stored.get("source") == "snapshot" else None
    )
    if year_end_clients is None:
        year_end_clients = int(stored["clients"]) if stored else None
    year_tasks = [
        t
        for m in _months_between(date(year, 1, 1), min(date(year, 12, 31), today))
        for t in CALLBACK_REPORTS().tasks_of_month(branch, m)
    ]
    return {
        "branch_id": branch,
        "new_accounts": {"opened_from": opened_from.isoformat(), "opened_to": opened_to.isoformat(), **new},
        "existing_clients": {"year": year, **existing_coverage(year_tasks, year_end_clients, members)},
    }


def coverage_csv(report: dict) -> str:
    """One row per figure and one per listed account, so a compliance officer can file it as is."""

    def rows():
        new, existing = report["new_accounts"], report["existing_clients"]
        for metric in ("accounts", "called_back_within_window", "percent"):
            yield ["new_accounts", metric, "", "", new[metric]]
        for status in ("called_back_late", "still_open", "missed"):
            for r in new[status]:
                yield [
                    "new_accounts",
                    status,
                    r["account_id"],
                    r["opened_on"],
                    r.get("called_back_on") or r.get("days_left") or r.get("reason") or "",
                ]
        for metric in ("year", "called_back", "year_end_clients", "target", "percent_of_target", "met", "denominator"):
            yield ["existing_clients", metric, "", "", existing[metric]]

    return to_csv(["section", "metric", "account_id", "opened_on", "value"], rows())


def set_year_end(principal: Principal, body) -> dict:
    record = {**body.model_dump(), "set_by": principal.id, "set_at": clock.iso(clock.now())}
    CALLBACK_REPORTS().put_year_end(record)
    return record


# --- attrition --------------------------------------------------------------------------------------------


def attrition_figures(tasks: list[dict]) -> dict:
    closed = [t for t in tasks if t["trigger"] == Trigger.closed_account.value]
    known = {r.value for r in CloseReason}

    def reason(t: dict) -> str:
        value = (t.get("outcome") or {}).get("closing_reason") or (t.get("detail") or {}).get("reason")
        return value if value in known else "unknown"

    counts = Counter(reason(t) for t in closed)
    return {
        "closed_accounts": len(closed),
        "by_reason": {
            r: {"count": n, "percent": percent(n, len(closed))}
            for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        },
    }


def attrition(principal: Principal, month: str, branch_id: str | None) -> dict:
    branch = scope_branch(principal, branch_id)
    return {"month": month, "branch_id": branch, **attrition_figures(CALLBACK_REPORTS().tasks_of_month(branch, month))}
