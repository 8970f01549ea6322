"""Counters checked against the records they count, and repaired (issue 14 §4).

A counter kept beside its records (to enforce a cap or balance load in one conditional write) can
drift from them: a decrement that fails after its task closed, a retried claim, a hand edit. The
records are the truth. Each check reports every counter that differs and, with `repair`, sets it from
the records - conditionally on the counter still holding what was read, so a counter that moved
meanwhile is left for the next run rather than overwritten. A second run after a repair reports none.

Checked: agents' `open_tasks` (their `LOAD` item against the assignee index),
an account's callbacks of a quarter (`CBQ#<quarter>`:
the tasks the selection job created that quarter), an outlet's active-key slots (its active keys) and
a person's granted reveals of a day (the disclosure audit). Not checked, because no record derives
them: a manager's registration attempts of a day (a rate limit counting refused attempts too) and
pool picks of a day; the prospect month statistics and the 10% sample's `picked` have their records
(prospects, sample days) but no index from the counter to them yet (docs/next-steps.md).
"""

from __future__ import annotations

from typing import Any

from ..models.tasks import CAP_CLASS, COVERAGE_TRIGGERS, CapClass, Trigger
from .reconcile_ports import COUNTER_RECORDS, QUARTER_FIELDS

# Tasks created outside the selection job (callback work, problem verification) never touch the
# quarter counter: the cap is about what the selection picks (storage/selection.create_task).
NOT_SELECTED = {Trigger.fallback.value, Trigger.second_callback.value}
COUNTERS = ("open-tasks", "quarter-callbacks", "outlet-key-slots", "reveal-budget")


def _report(checked: str, drift: list[dict], **scope) -> dict:
    return {"checked": checked, **scope, "drift": drift, "repaired": sum(1 for d in drift if d.get("repaired"))}


def open_task_counters(repair: bool = False) -> dict:
    records = COUNTER_RECORDS()
    drift = []
    agents = records.callback_agents()
    # The counter is its own item per agent (keys.agent_load, issue 18), not the staff record.
    loads = records.agent_loads([a["staff_id"] for a in agents])
    for agent in agents:
        counted = loads.get(agent["staff_id"])
        actual = records.open_task_count(agent["staff_id"])
        if (counted or 0) == actual:
            continue
        row = {
            "staff_id": agent["staff_id"],
            "branch_id": agent.get("branch_id"),
            "counter": counted,
            "open_tasks": actual,
        }
        if repair:
            row["repaired"] = records.set_open_tasks(agent["staff_id"], counted, actual)
        drift.append(row)
    return _report("open_tasks", drift)


def quarter_figures(tasks: list[dict]) -> dict:
    """What `CBQ#<quarter>` holds when every task's increment landed exactly once."""
    return {
        "callbacks": len(tasks),
        "risk_callbacks": sum(1 for t in tasks if t.get("risk")),
        "sampled": sum(1 for t in tasks if CAP_CLASS.get(t["trigger"]) == CapClass.sampled),
        "coverage_tasks": sum(1 for t in tasks if t["trigger"] in COVERAGE_TRIGGERS),
        "task_ids": sorted(t["task_id"] for t in tasks),
    }


def _in_quarter(task: dict, quarter: str) -> bool:
    day = str(task.get("business_date", ""))
    return (
        len(day) >= 7
        and f"{day[:4]}Q{(int(day[5:7]) - 1) // 3 + 1}" == quarter
        and task.get("trigger") not in NOT_SELECTED
    )


def _quarter_months(quarter: str) -> list[str]:
    year, q = int(quarter[:4]), int(quarter[-1])
    return [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def quarter_counters(quarter: str, repair: bool = False) -> dict:
    """Every account with a task selected in `quarter` (every branch's tasks of its three months).

    Each candidate is confirmed counter first, then its records: the account's tasks on its index,
    and the tasks the counter names (written in one transaction with it, so an index that lags behind
    a fresh task is not taken for drift). A counter whose account has no task at all that quarter is
    not found: tasks are never deleted, so only a hand edit makes one."""
    records = COUNTER_RECORDS()
    accounts: set[str] = set()
    for branch_id in records.branch_ids():
        for month in _quarter_months(quarter):
            accounts.update(
                t["account_id"] for t in records.branch_tasks_of_month(branch_id, month) if _in_quarter(t, quarter)
            )
    drift = []
    for account_id in sorted(accounts):
        read = records.quarter_counter(account_id, quarter)
        tasks = {t["task_id"]: t for t in records.account_tasks(account_id) if _in_quarter(t, quarter)}
        named = [t for t in (read or {}).get("task_ids", []) if t not in tasks]
        tasks.update({t["task_id"]: t for t in records.tasks_by_id(named) if _in_quarter(t, quarter)})
        figures = quarter_figures(list(tasks.values()))
        held = {f: int((read or {}).get(f, 0)) for f in QUARTER_FIELDS}
        if (
            held == {f: figures[f] for f in QUARTER_FIELDS}
            and sorted((read or {}).get("task_ids", [])) == figures["task_ids"]
        ):
            continue
        row: dict[str, Any] = {
            "account_id": account_id,
            "counter": held if read else None,
            "records": {f: figures[f] for f in QUARTER_FIELDS},
        }
        if repair:
            row["repaired"] = records.set_quarter_counter(account_id, quarter, read, figures)
        drift.append(row)
    return _report("quarter_callbacks", drift, quarter=quarter)


def outlet_key_slots(repair: bool = False) -> dict:
    records = COUNTER_RECORDS()
    drift = []
    for outlet_id in records.outlet_ids():
        exists, read = records.key_slots(outlet_id)
        active = records.active_keys(outlet_id)
        if (read or 0) == active:
            continue
        row = {"outlet_id": outlet_id, "counter": read, "active_keys": active}
        if repair:
            row["repaired"] = records.set_key_slots(outlet_id, exists, read, active)
        drift.append(row)
    return _report("outlet_key_slots", drift)


def reveal_budget(day: str, repair: bool = False) -> dict:
    """Every person's granted reveals of `day`: staff in the directory and anyone the audit names."""
    records = COUNTER_RECORDS()
    held = records.reveal_counters(records.staff_ids(), day)
    granted = records.granted_reveals(day)
    suspects = sorted(a for a in set(held) | set(granted) if held.get(a, 0) != granted.get(a, 0))
    drift = []
    if suspects:
        reads = {a: records.reveal_counter(a, day) for a in suspects}  # counters first, then the audit again
        granted = records.granted_reveals(day)
        for actor_id in suspects:
            exists, read = reads[actor_id]
            if (read or 0) == granted.get(actor_id, 0):
                continue
            row = {"staff_id": actor_id, "counter": read, "granted_reveals": granted.get(actor_id, 0)}
            if repair:
                row["repaired"] = records.set_reveal_counter(actor_id, day, exists, read, granted.get(actor_id, 0))
            drift.append(row)
    return _report("reveal_budget", drift, day=day)
