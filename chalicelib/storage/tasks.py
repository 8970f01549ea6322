"""Callback tasks: the item layout shared by the scheduler and the agents' routes."""

from __future__ import annotations

import copy
from datetime import date, datetime

from ..config import get_settings
from ..models.tasks import OPEN_STATUSES, RISK_TRIGGERS, TaskRecord, next_window_start, parse_window, shanghai_iso
from . import base, keys

UNSTORED_DEFAULTS: dict[str, object] = {
    "attempts": 0,
    "attempt_days": [],
    "late_arrival": False,
    "due_provisional": False,
}


def queue_order(data: dict) -> dict:
    """The parts of a task's place in the agent's list and the branch queue (keys.task_assignee_index).

    A client's "call me at T" (reschedule_at) takes the deadline's place and the window's: the task sorts
    by T. Otherwise the window is the first best-time window open at or after the task became callable
    (its creation); weekdays only here, the views skip holidays too (domain/call_windows)."""
    if data.get("waiting_on"):
        rank = keys.QUEUE_WAITING
    else:
        risk = data.get("risk") or data.get("trigger") in RISK_TRIGGERS
        rank = keys.QUEUE_RISK if risk else keys.QUEUE_ORDINARY
    if data.get("reschedule_at"):
        sort_at = window_at = shanghai_iso(data["reschedule_at"])
    else:
        sort_at = shanghai_iso(data["due_at"])
        windows = data.get("call_windows") or [parse_window(w) for w in get_settings().call_windows]
        start = next_window_start(datetime.fromisoformat(data["created_at"]), windows)
        window_at = start.isoformat() if start else "~"
    return {
        "rank": rank,
        "sort_at": sort_at,
        "window_at": window_at,
        "priority": int(data.get("priority", 5)),
        "task_id": data["task_id"],
    }


def task_item(record: TaskRecord | dict) -> dict:
    """The full DynamoDB item for a task, with the index attributes its state implies."""
    data = record.model_dump(mode="json") if isinstance(record, TaskRecord) else dict(record)
    if not data.get("call_windows"):
        # No copy of the configured windows on every task (issue 18: 287 bytes each): a task without its
        # own windows uses the suggested ones (settings), resolved on read (domain/call_windows.windows_of).
        data.pop("call_windows", None)
    for name, default in UNSTORED_DEFAULTS.items():
        # Nor a new task's defaults (54 bytes: a large outflow's task, ~1 KB, stays within one write unit in
        # each of its five indexes); TaskRecord and the views read them back as their defaults.
        if name in data and data[name] == default:
            del data[name]
    item = {
        **keys.callback_task(data["task_id"]),
        **data,
        **keys.task_month_index(data["branch_id"], data["business_date"], data["task_id"]),
        **keys.task_account_index(data["account_id"], data["created_at"], data["task_id"]),
    }
    if data.get("status", "open") in OPEN_STATUSES:
        item.update(keys.task_assignee_index(data.get("assignee_id"), data["branch_id"], **queue_order(data)))
        item.update(keys.task_due_index(data["due_on"], data["task_id"]))
        if data.get("due_provisional"):
            item.update(keys.task_provisional_index(str(data["due_on"])[:4], data["task_id"]))
    return item


def account_tasks_since(account_ids: list[str], since: date) -> dict[str, list[dict]]:
    """Each account's tasks created on or after `since`, by account (absent: none): one query per account
    on its task index (an account has a few tasks a quarter: one page). Eventually consistent."""
    out: dict[str, list[dict]] = {}
    for account_id in dict.fromkeys(account_ids):
        found = base.query_all(keys.task_account_partition(account_id), index="gsi4", sk_gte=str(since))
        if found:
            out[account_id] = [base.strip_keys(i) for i in found]
    return out


def get_task(task_id: str, *, consistent: bool = False) -> dict | None:
    """The task as its record reads, with the defaults its item leaves out (`UNSTORED_DEFAULTS`)."""
    item = base.strip_keys(base.get_item(**keys.callback_task(task_id), consistent=consistent))
    return {**copy.deepcopy(UNSTORED_DEFAULTS), **item} if item is not None else None


def replace_task(previous: dict, updated: dict) -> bool:
    """Write a task as the caller read it changed (status and revision unchanged meanwhile), bumping the
    revision; False if someone else changed it first (the caller reads again or leaves it)."""
    from ..errors import ConditionFailed

    record = {**updated, "revision": int(previous.get("revision", 0)) + 1}
    try:
        base.put_new(
            task_item(record),
            condition="#s = :s AND (attribute_not_exists(revision) OR revision = :r)",
            names={"#s": "status"},
            values={":s": previous.get("status", "open"), ":r": int(previous.get("revision", 0))},
        )
        return True
    except ConditionFailed:
        return False


def _configured_windows() -> list[dict]:
    return [parse_window(w).model_dump(mode="json") for w in get_settings().call_windows]


def requeue_open_tasks_due_on(day: str) -> int:
    """Bring a day's open tasks to the current index layout (operators, `python -m schedules requeue-tasks`).

    Re-derives the queue key (gsi1, after the sort key's layout changed: issue 13 item 8), moves the due
    key to its shard (issue 18: `TASKDUE#<day>` became `TASKDUE#<day>#<shard>`) and drops a copy of the
    configured call windows (resolved from settings on read). A targeted update guarded by the revision
    read, so no agent's or feed's write is undone; a task that changed meanwhile already carries the new
    layout (every task write derives it). Idempotent: a day done is skipped by a second run, so an
    interrupted migration resumes from any date. Returns how many were rewritten. Never a request."""
    from ..errors import ConditionFailed

    done = 0
    windows = _configured_windows()
    for partition in keys.task_due_partitions(day):
        for item in base.query_all(partition, index="gsi3"):
            record = base.strip_keys(item)
            if record.get("status", "open") not in OPEN_STATUSES:
                continue
            index = keys.task_assignee_index(record.get("assignee_id"), record["branch_id"], **queue_order(record))
            due = keys.task_due_index(record["due_on"], record["task_id"])
            copied = record.get("call_windows") == windows
            if (
                item.get("gsi1sk") == index["gsi1sk"]
                and item.get("gsi1pk") == index["gsi1pk"]
                and item.get("gsi3pk") == due["gsi3pk"]
                and not copied
            ):
                continue
            try:
                base.update(
                    item["pk"],
                    item["sk"],
                    "SET gsi1pk = :p, gsi1sk = :s, gsi3pk = :d" + (" REMOVE call_windows" if copied else ""),
                    values={
                        ":p": index["gsi1pk"],
                        ":s": index["gsi1sk"],
                        ":d": due["gsi3pk"],
                        ":r": int(record.get("revision", 0)),
                    },
                    condition="attribute_not_exists(revision) OR revision = :r",
                    return_values="NONE",
                )
                done += 1
            except ConditionFailed:
                pass
    return done
