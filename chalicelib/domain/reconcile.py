"""Counters checked against the records they count, and repaired (issue 14 §4).

A counter kept beside its records (to enforce a cap or balance load in one conditional write) can
drift from them: a decrement that fails after its task closed, a retried claim, a hand edit. The
records are the truth. Each check reports every counter that differs and, with `repair`, sets it from
the records - conditionally on the counter still holding what was read, so a counter that moved
meanwhile is left for the next run rather than overwritten. A second run after a repair reports none.

Checked: agents' `open_tasks` (their `LOAD` item against the assignee index), an outlet's active-key
slots (its active keys) and a person's granted reveals of a day (the disclosure audit). An account's
callbacks of a quarter are no longer a counter (issue 18): they are counted from its tasks where they
are read (domain/quarter_callbacks.py), so there is nothing to drift; the `CBQ#<quarter>` items written
before are left in the table, read by nothing. Not checked, because no record derives
them: a manager's registration attempts of a day (a rate limit counting refused attempts too) and
pool picks of a day; the prospect month statistics and the 10% sample's `picked` have their records
(prospects, sample days) but no index from the counter to them yet (docs/next-steps.md).
"""

from __future__ import annotations

from .reconcile_ports import COUNTER_RECORDS

COUNTERS = ("open-tasks", "outlet-key-slots", "reveal-budget")


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
