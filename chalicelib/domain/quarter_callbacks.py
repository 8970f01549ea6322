"""An account's callbacks of a quarter, counted from its tasks (001: "在客户抽样方面，每季度对同一客户回访次数
不应超过两次": in sampling, a client is not called back more than twice a quarter).

The tasks are the record: the selection job writes each task once (one conditional put, issue 18) and
no counter beside it, so a figure here cannot drift from what was selected. Read from the account's
tasks on their index (`ACCOUNT#<id>#TASKS`, sorted by creation): a task of a quarter is created on or
after its business date, so reading from the quarter's first day finds all of them (a catch-up run
creates them later, never earlier). The index is eventually consistent: a task written a moment ago may
not be on it yet, which is why the selection adds what its own run created (`selection_run`).

Counted: the tasks the selection picks, by business date. Tasks the callback work creates (a fallback
letter, a problem's second callback) follow a callback already counted and are not picked (`NOT_SELECTED`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ..models.tasks import CAP_CLASS, COVERAGE_TRIGGERS, CapClass, Trigger

NOT_SELECTED = {Trigger.fallback.value, Trigger.second_callback.value}


def quarter_of(day: date | str) -> str:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_start(quarter: str) -> date:
    return date(int(quarter[:4]), 3 * int(quarter[-1]) - 2, 1)


def read_from(quarter: str) -> date:
    """The first creation date to read an account's tasks of `quarter` from (a day early: creation times
    are stored in the branch's time zone, the day boundary is not worth a miss)."""
    return quarter_start(quarter) - timedelta(days=1)


def selected_in(tasks: Iterable[dict], quarter: str) -> list[dict]:
    """The tasks the selection picked for business dates of `quarter`."""
    return [
        t
        for t in tasks
        if t.get("trigger") not in NOT_SELECTED
        and len(str(t.get("business_date", ""))) >= 10
        and quarter_of(str(t["business_date"])[:10]) == quarter
    ]


def figures(tasks: Iterable[dict], quarter: str) -> dict:
    """What compliance reads against the cap: the quarter's callbacks, of them risk and sampled ones,
    those counting toward the sample's coverage, and the tasks themselves."""
    picked = selected_in(tasks, quarter)
    return {
        "callbacks": len(picked),
        "risk_callbacks": sum(1 for t in picked if t.get("risk")),
        "sampled": sum(1 for t in picked if CAP_CLASS.get(t["trigger"]) == CapClass.sampled),
        "coverage_tasks": sum(1 for t in picked if t["trigger"] in COVERAGE_TRIGGERS),
        "task_ids": sorted(t["task_id"] for t in picked),
    }


def year_figures(tasks: Iterable[dict], year: int) -> dict[str, dict]:
    """`figures` of each quarter of `year`, by quarter ("2026Q1".."2026Q4")."""
    held = list(tasks)
    return {f"{year}Q{q}": figures(held, f"{year}Q{q}") for q in (1, 2, 3, 4)}
