"""Callback work: agents' lists, claims, attempts and reviews over the task items.

Every task write is a full put of `tasks.task_item(record)` guarded by the state
the caller read (status, revision, assignee), so a finished task leaves the open
indexes (gsi1, gsi3) in the same write and two writers cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import get_settings
from ..errors import ConditionFailed
from . import base, keys, pii
from .tasks import task_item

# --- accounts (written by the account feed) ------------------------------------------


def account_contact(account_id: str) -> dict | None:
    """The one place the account's sealed phone is read. Returns the clear phone; callers mask or audit."""
    item = base.get_item(**keys.account(account_id))
    if not item:
        return None
    sealed = item.get("phone_sealed")
    return {
        "account_id": account_id,
        "branch_id": item.get("branch_id"),
        "client_name": item.get("client_name"),
        "serving_manager_id": item.get("serving_manager_id"),
        "opened_on": item.get("opened_on"),
        "phone": pii.unseal(sealed) if sealed else None,
        "contact_needs_update": bool(item.get("contact_needs_update")),
    }


def accounts_opened_between(branch_id: str, first, last) -> dict[str, str]:
    """Accounts of a branch the feed says opened in [first, last] (account id -> opened_on), from the
    opening index: one query per day and shard."""
    from datetime import timedelta

    out: dict[str, str] = {}
    day = first
    while day <= last:
        for shard in range(get_settings().selection_shards):
            for item in base.query_all(f"OPENED#{day}#{shard}", index="gsi3"):
                if item.get("branch_id") == branch_id and item.get("opened_on"):
                    out[item["account_id"]] = item["opened_on"]
        day += timedelta(days=1)
    return out


def seal_phone(phone: str) -> str:
    """A phone number kept in a record (e.g. the number dialled), sealed like the account's."""
    return pii.seal(phone)


def mark_contact_for_update(account_id: str, at: str, task_id: str) -> None:
    """A wrong number: the account's contact must be updated before the next callback.

    A targeted update that also bumps the account's `version`: the feed writes the account as a whole
    item guarded by the version it read, so a feed write racing this one fails its condition and
    re-reads (keeping the flag) instead of putting its stale copy over it (the lost update of issue 14)."""
    try:
        base.update(
            **keys.account(account_id),
            expression="SET contact_needs_update = :t, contact_flagged_at = :at, contact_flag_task = :task "
            "ADD version :one",
            values={":t": True, ":at": at, ":task": task_id, ":one": 1},
            condition="attribute_exists(pk)",
            return_values="NONE",
        )
    except ConditionFailed:
        pass  # the account is not in the feed yet; the task still carries the flag
    # Every open task of the account shows the flag (a task read takes it from the task: issue 18 §4).
    for task in open_tasks_of_account(account_id):
        if task["task_id"] != task_id and not task.get("contact_needs_update"):
            _set_on_open_task(task["task_id"], "SET contact_needs_update = :t", {":t": True})


def open_tasks_of_account(account_id: str) -> list[dict]:
    """The account's open tasks (few: one per trigger and episode), from the account's task index."""
    from ..models.tasks import OPEN_STATUSES

    found = base.query_all(keys.task_account_partition(account_id), index="gsi4")
    return [base.strip_keys(t) for t in found if t.get("status") in OPEN_STATUSES]


def _set_on_open_task(task_id: str, expression: str, values: dict) -> bool:
    """A targeted change of what a task shows of its client's contact. It bumps the revision, so a writer
    holding an older copy fails its guard and re-reads instead of putting the old contact back."""
    try:
        base.update(
            **keys.callback_task(task_id),
            expression=f"{expression} ADD revision :one",
            names={"#s": "status"},
            values={**values, ":one": 1, ":o": "open", ":p": "in_progress"},
            condition="attribute_exists(pk) AND #s IN (:o, :p)",
            return_values="NONE",
        )
    except ConditionFailed:
        return False  # finished meanwhile: a finished task is read-only
    return True


def refresh_task_contacts(account_id: str, phone_masked: str | None) -> list[str]:
    """A new phone from the feed: the account's open tasks show its masked form, the wrong-number flag gone."""
    changed = []
    for task in open_tasks_of_account(account_id):
        if task.get("phone_masked") == phone_masked and not task.get("contact_needs_update"):
            continue
        expression = (
            "SET phone_masked = :m REMOVE contact_needs_update" if phone_masked else "REMOVE contact_needs_update"
        )
        if _set_on_open_task(task["task_id"], expression, {":m": phone_masked} if phone_masked else {}):
            changed.append(task["task_id"])
    return changed


# --- contact-update requests (wrong numbers) ---------------------------------------------


def contact_request_item(record: dict) -> dict:
    item = {**keys.contact_request(record["account_id"], record["requested_at"], record["task_id"]), **record}
    if record.get("status") == "open":
        item.update(keys.contact_request_indexes(record["branch_id"], record["due_on"], record["task_id"]))
    return item


def new_contact_request_op(record: dict) -> dict:
    return base.tx_put(contact_request_item(record))


def close_contact_request_op(record: dict, status: str, fields: dict) -> dict:
    """Close an open request (leaves both indexes); fails the transaction if it is no longer open."""
    key = keys.contact_request(record["account_id"], record["requested_at"], record["task_id"])
    names = {"#s": "status", **{f"#f{i}": k for i, k in enumerate(fields)}}
    values = {":open": "open", ":to": status, **{f":f{i}": v for i, v in enumerate(fields.values())}}
    sets = ", ".join(["#s = :to", *(f"#f{i} = :f{i}" for i in range(len(fields)))])
    return base.tx_update(
        key["pk"],
        key["sk"],
        f"SET {sets} REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk",
        names=names,
        values=values,
        condition="#s = :open",
    )


def open_contact_requests(account_id: str) -> list[dict]:
    return [
        base.strip_keys(i)
        for i in base.query_all(f"ACCOUNT#{account_id}", sk_begins="CONTACTREQ#", consistent=True)
        if i.get("status") == "open"
    ]


def list_branch_contact_requests(branch_id: str, *, limit: int, start_key=None) -> base.Page:
    return base.query_records(f"BRANCH#{branch_id}#CONTACTREQS", index="gsi1", limit=limit, start_key=start_key)


def contact_requests_due_on(day: str) -> list[dict]:
    return [base.strip_keys(i) for i in base.query_all(f"CONTACTDUE#{day}", index="gsi3")]


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


def account_masked_contact(account_id: str) -> dict:
    """What an ordinary view shows of the account's contact: masked, never decrypted."""
    item = base.get_item(**keys.account(account_id)) or {}
    return {"phone_masked": item.get("phone_masked"), "contact_needs_update": bool(item.get("contact_needs_update"))}


def masked_phones(account_ids: list[str]) -> dict[str, str | None]:
    """The masked phone of each account, one BatchGetItem per 100 (a task list shows it on every card)."""
    pairs = [(keys.account(a)["pk"], keys.account(a)["sk"]) for a in dict.fromkeys(account_ids)]
    return {
        i["account_id"]: i.get("phone_masked")
        for i in base.batch_get(pairs, projection="account_id, phone_masked")
        if i.get("account_id")
    }


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
