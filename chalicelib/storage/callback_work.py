"""Callback work: agents' lists, claims, attempts and reviews over the task items.

Every task write is a full put of `tasks.task_item(record)` guarded by the state
the caller read (status, revision, assignee), so a finished task leaves the open
indexes (gsi1, gsi3) in the same write and two writers cannot both win.

Also here: the agents' open-task counters, the year-end client figures and the callback
jobs' watermarks for operator scripts. The accounts' contacts are callback_accounts.py's,
the wrong-number contact requests contact_requests.py's.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConditionFailed
from . import base, keys
from .tasks import task_item

# --- tasks ---------------------------------------------------------------------------------


def get_task(task_id: str) -> dict | None:
    return base.strip_keys(base.get_item(**keys.callback_task(task_id), consistent=True))


def list_open_for_agent(agent_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"AGENT#{agent_id}#OPEN", index="gsi1", limit=limit, start_key=start_key)


def list_branch_queue(branch_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"BRANCH#{branch_id}#QUEUE", index="gsi1", limit=limit, start_key=start_key)


def open_tasks_of_agent(agent_id: str) -> list[dict]:
    """Every open task an agent holds (bounded by the agent's workload)."""
    return [base.strip_keys(i) for i in base.query_all(f"AGENT#{agent_id}#OPEN", index="gsi1")]


def branch_queue_all(branch_id: str) -> list[dict]:
    """Every unassigned task of a branch's queue (bounded: the queue is worked down daily)."""
    return [base.strip_keys(i) for i in base.query_all(f"BRANCH#{branch_id}#QUEUE", index="gsi1")]


def tasks_of_month(branch_id: str, month: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"BRANCH#{branch_id}#TASKS#{month}", index="gsi2")]


def open_tasks_due_on(day: str) -> list[dict]:
    """Every shard of the day (and the unsharded key of tasks written before issue 18)."""
    return [
        base.strip_keys(i)
        for partition in keys.task_due_partitions(day)
        for i in base.query_all(partition, index="gsi3")
    ]


def task_with_history(task_id: str) -> tuple[dict | None, list[dict], list[dict]]:
    """A task, its attempts and its reviews in one request: they share the item collection."""
    items = base.query_all(f"TASK#{task_id}", consistent=True)
    task = next((base.strip_keys(i) for i in items if i["sk"] == "TASK"), None)
    attempts = [base.strip_keys(i) for i in items if i["sk"].startswith("ATTEMPT#")]
    reviews = [base.strip_keys(i) for i in items if i["sk"].startswith("REVIEW#")]
    return task, attempts, reviews


def _guard(previous: dict) -> tuple[str, dict, dict]:
    condition = "#s = :prev_status AND (attribute_not_exists(revision) OR revision = :prev_rev)"
    names = {"#s": "status"}
    values = {":prev_status": previous.get("status", "open"), ":prev_rev": int(previous.get("revision", 0))}
    if previous.get("assignee_id"):
        condition += " AND assignee_id = :prev_assignee"
        values[":prev_assignee"] = previous["assignee_id"]
    else:
        condition += " AND attribute_not_exists(assignee_id)"
    return condition, names, values


def task_put_op(record: dict, previous: dict) -> dict:
    condition, names, values = _guard(previous)
    return base.tx_put(task_item(record), condition=condition, names=names, values=values)


def new_task_op(record: dict) -> dict:
    return base.tx_put(task_item(record))


def attempt_op(record: dict) -> dict:
    return base.tx_put({**keys.task_attempt(record["task_id"], f"{record['at']}#{record['attempt_id']}"), **record})


def review_op(record: dict) -> dict:
    return base.tx_put({**keys.task_review(record["task_id"], f"{record['at']}#{record['review_id']}"), **record})


def load_change_op(agent_id: str, delta: int) -> dict:
    """The agent's `open_tasks` counter, on its own unindexed item (keys.agent_load), in a claim's transaction."""
    return base.tx_update(**keys.agent_load(agent_id), expression="ADD open_tasks :d", values={":d": delta})


def add_load(agent_id: str, delta: int) -> None:
    """Add to the agent's counter outside any transaction (the selection job: once per agent and page)."""
    base.update(**keys.agent_load(agent_id), expression="ADD open_tasks :d", values={":d": delta}, return_values="NONE")


def agent_loads(agent_ids: Sequence[str]) -> dict[str, int]:
    """The counters of these agents (one BatchGetItem per 100); an agent without one has 0."""
    pairs = [tuple(keys.agent_load(a).values()) for a in dict.fromkeys(agent_ids)]
    found = base.batch_get(pairs) if pairs else []
    return {i["pk"].split("#", 1)[1]: int(i.get("open_tasks", 0)) for i in found}


def release_load(agent_id: str) -> None:
    """Decrement the agent's open_tasks, never below zero (best effort, after the task write)."""
    try:
        base.update(
            **keys.agent_load(agent_id),
            expression="ADD open_tasks :d",
            values={":d": -1, ":z": 0},
            condition="open_tasks > :z",
            return_values="NONE",
        )
    except ConditionFailed:
        pass


def write(operations: list[dict]) -> None:
    base.transact(operations)


def flag_task_overdue(task: dict, at: str, also: Sequence[dict] = ()) -> bool:
    """Mark an open task overdue once; bumps the revision so a concurrent agent write retries.
    `also` (its escalation: problem item, outbox entry) is written in the same transaction."""
    k = keys.callback_task(task["task_id"])
    flag = base.tx_update(
        k["pk"],
        k["sk"],
        "SET overdue = :t, overdue_at = :at ADD revision :one",
        names={"#s": "status"},
        values={":t": True, ":at": at, ":one": 1, ":o": "open", ":p": "in_progress"},
        condition="attribute_exists(pk) AND attribute_not_exists(overdue_at) AND #s IN (:o, :p)",
    )
    try:
        base.transact([flag, *also])
        return True
    except ConditionFailed:
        return False


# --- year-end client figures (coverage target) -------------------------------------------


def put_year_end(record: dict) -> None:
    base.put({**keys.year_end_clients(record["branch_id"], record["year"]), **record})


def get_year_end(branch_id: str, year: int) -> dict | None:
    return base.strip_keys(base.get_item(**keys.year_end_clients(branch_id, year)))


# --- job watermarks --------------------------------------------------------------------------


# The callback sweeps move theirs through the shared port (domain/daily_sweep.py); these two remain for
# operator scripts and tests, and read the one layout (storage/watermarks_repo.py).
def get_watermark(job: str) -> str | None:
    from .watermarks_repo import DynamoJobWatermarks

    return DynamoJobWatermarks().get(job)


def set_watermark(job: str, value: str, at: str) -> None:
    from .watermarks_repo import DynamoJobWatermarks

    DynamoJobWatermarks().set(job, value, at)


# --- reconciliation (issue 14 §4): the agent's open_tasks counter against its open tasks --------------
def callback_agents() -> list[dict]:
    """Every callback agent (operator command: bounded by the staff directory)."""
    return [base.strip_keys(i) for i in base.query_all("STAFF", index="gsi2") if i.get("role") == "callback_agent"]


def open_task_count(agent_id: str) -> int:
    """Derived from the records themselves: the agent's open tasks on the assignee index."""
    return len(base.query_all(f"AGENT#{agent_id}#OPEN", index="gsi1"))


def set_open_tasks(agent_id: str, expected: int | None, actual: int) -> bool:
    """Set the counter to what the records say, unless it moved since it was read (False then)."""
    condition = "attribute_not_exists(open_tasks)" if expected is None else "open_tasks = :old"
    values = {":n": actual} if expected is None else {":n": actual, ":old": expected}
    try:
        base.update(
            **keys.agent_load(agent_id),
            expression="SET open_tasks = :n",
            values=values,
            condition=condition,
            return_values="NONE",
        )
    except ConditionFailed:
        return False
    return True
