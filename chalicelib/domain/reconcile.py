"""Counters checked against the records they count, and repaired (issue 14 §4).

An agent's `open_tasks` is a counter kept beside the tasks (assignment balancing reads it); a
decrement that fails after its task closed, or a retried claim, leaves it off. The truth is the
records: the agent's open tasks on the assignee index. `open_task_counters` reports every agent
whose counter differs and, with `repair`, sets it from the records - conditionally, so a counter
that moved meanwhile is left for the next run rather than overwritten.
"""
from __future__ import annotations

from ..storage import callback_work as repo


def open_task_counters(repair: bool = False) -> dict:
    drift = []
    for agent in repo.callback_agents():
        counted = int(agent["open_tasks"]) if agent.get("open_tasks") is not None else None
        actual = repo.open_task_count(agent["staff_id"])
        if (counted or 0) == actual:
            continue
        row = {"staff_id": agent["staff_id"], "branch_id": agent.get("branch_id"), "counter": counted,
               "open_tasks": actual}
        if repair:
            row["repaired"] = repo.set_open_tasks(agent["staff_id"], counted, actual)
        drift.append(row)
    return {"checked": "open_tasks", "drift": drift, "repaired": sum(1 for d in drift if d.get("repaired"))}
