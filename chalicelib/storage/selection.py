"""Selection storage: candidate queries, task creation transactions, run records.

Candidates come only from sparse date-bucketed GSIs, one query per shard, so
a job reads what it selects, never the table. A task is created by one
conditional PutItem on its deterministic key, nothing else beside it: the
quarterly cap is counted from the account's tasks (domain/quarter_callbacks.py)
and inbox entries are consumed after, a hundred per transaction. The assignee's open-task counter is not in it
(issue 18: eight workers filling a branch of two agents kept conflicting on
it): the job adds each agent's tasks to its `LOAD` item in one fenced write per flush
(`add_load_once`), after checking the agent is still an active callback agent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from ..config import get_settings
from ..domain.selection_ports import LOAD_BATCH  # noqa: F401 - how many agents an add takes (the job's batches)
from ..errors import ConditionFailed
from ..models.tasks import TaskRecord
from . import base, callback_work, clients, directory, keys
from .accounts import periodic_bucket
from .tasks import task_item

JOB = "callbacks"
WRITE_TOKEN = "write_token"  # the job's try that created a task (`create_task`)
CONSUMED = "SET selected_task = :t REMOVE gsi2pk, gsi2sk"  # selected: out of the inbox index, kept as a record


def _direct(fn: Callable, *args, **kwargs):
    return fn(*args, **kwargs)


def _shards(shards: Iterable[int] | None) -> Iterable[int]:
    return range(get_settings().selection_shards) if shards is None else shards


def _pages(
    index: str, partition_prefix: str, call: Callable = _direct, shards: Iterable[int] | None = None
) -> Iterator[list[dict]]:
    """Each page of every shard (or of `shards`) of one bucket, keys stripped. `call` runs each query (the
    job's back-off: a throttled page is read again from its start key, so the iteration carries on)."""
    for shard in _shards(shards):
        start = None
        while True:
            page = call(base.query, f"{partition_prefix}#{shard}", index=index, start_key=start)
            if page.items:
                yield [base.strip_keys(i) for i in page.items]
            start = page.last_key
            if not start:
                break


def inbox_pages(through: date, call: Callable = _direct, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
    """Account events waiting for selection, dated up to `through`, whenever they arrived."""
    for partition in (p for shard in _shards(shards) for p in keys.selection_inbox_partitions(shard)):
        start = None
        while True:
            page = call(base.query, partition, index="gsi2", sk_lte=f"{through}~", start_key=start)
            if page.items:
                yield [{**base.strip_keys(i), "inbox_key": {"pk": i["pk"], "sk": i["sk"]}} for i in page.items]
            start = page.last_key
            if not start:
                break


def _consume_op(inbox_key: dict, task_id: str) -> dict:
    return base.tx_update(inbox_key["pk"], inbox_key["sk"], CONSUMED, values={":t": task_id})


def departures_pending(through: date) -> list[dict]:
    return directory.departures_pending(through)


def mark_departure_selected(staff_id: str, departed_on: str, at: str) -> None:
    directory.mark_departure_selected(staff_id, departed_on, at)


def last_active_on(day: date, call: Callable = _direct, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
    return _pages("gsi4", f"ACTIVE#{day}", call, shards)


def periodic_due(
    tier: str, day: date, days: int, call: Callable = _direct, shards: Iterable[int] | None = None
) -> Iterator[list[dict]]:
    return _pages("gsi6", f"PERIODIC#{tier}#{periodic_bucket(day, days)}", call, shards)


def manager_accounts(manager_id: str, call: Callable = _direct) -> Iterator[list[dict]]:
    start = None
    while True:
        page = call(base.query, f"MGR#{manager_id}#ACCOUNTS", index="gsi1", start_key=start)
        if page.items:
            yield [base.strip_keys(i) for i in page.items]
        start = page.last_key
        if not start:
            return


def accounts(account_ids: list[str]) -> dict[str, dict]:
    items = base.batch_get([(keys.account(a)["pk"], keys.account(a)["sk"]) for a in dict.fromkeys(account_ids)])
    return {i["account_id"]: base.strip_keys(i) for i in items}


def existing_tasks(task_ids: list[str]) -> set[str]:
    found = base.batch_get(
        [(keys.callback_task(t)["pk"], "TASK") for t in dict.fromkeys(task_ids)], projection="task_id"
    )
    return {i["task_id"] for i in found}


def branch_agents(branch_id: str) -> list[dict]:
    """A branch's callback agents, each with its `open_tasks` from its own LOAD item (issue 18)."""
    agents = directory.all_branch_staff(branch_id, "callback_agent")
    loads = callback_work.agent_loads([a["staff_id"] for a in agents])
    return [{**a, "open_tasks": loads.get(a["staff_id"], 0)} for a in agents]


def staff_records(staff_ids: list[str]) -> dict[str, dict]:
    """The staff records as they are now (consistent), by id."""
    pairs = [tuple(keys.staff(s).values()) for s in dict.fromkeys(staff_ids)]
    return {
        i["staff_id"]: i
        for i in base.batch_get(pairs, "staff_id, #s, #r", consistent=True, names={"#s": "status", "#r": "role"})
    }


class LoadsHeld(base.WriteConflict):
    """A LOAD transaction cancelled because other transactions held these agents' items (DynamoDB names each
    item's reason in order): nothing was written; the others can go again at once."""

    def __init__(self, agents: list[str]):
        super().__init__("an agent's LOAD item is in another transaction, retry")
        self.agents = agents


def add_loads_once(deltas: dict[str, int], fence: str, mark: str) -> bool:
    """Add each agent's delta to its LOAD counter in one transaction (at most 100 agents; the job sends
    LOAD_BATCH), unless this add (`mark` under `fence`) already landed.

    At-least-once made exact: botocore resending a transaction that landed gets its ClientRequestToken's
    success; a job retry of one that landed finds its own marks (the transaction is all or nothing, so
    one mark found means all of them landed) and writes nothing. `fence` names one writer (a run of every
    shard, or of one shard), `mark` grows with each of its adds (run start, flush number), so a LOAD item
    holds one small attribute per writer, never one per run. False when the marks were there already;
    a concurrent transaction on some of the items raises LoadsHeld naming their agents (nothing written:
    retry, the others at once)."""
    run = mark.rsplit("#", 1)[0] + "#"  # marks are "<run start>#<flush>"
    ops = [
        base.tx_update(
            **keys.agent_load(agent_id),
            expression="SET #f = :m ADD open_tasks :d",
            names={"#f": fence},
            values={":d": delta, ":m": mark, ":run": run},
            # Refused only by a mark of this same run at or after this add (its own retry). Another run of
            # the same writer (an SQS redelivery running beside it, or a rerun) has its own marks: its adds
            # count too, and neither run's later flushes are refused by the other's marks.
            condition="attribute_not_exists(#f) OR #f < :m OR NOT begins_with(#f, :run)",
        )
        for agent_id, delta in deltas.items()
    ]
    token = hashlib.sha256(f"{fence}#{mark}#{','.join(sorted(deltas))}".encode()).hexdigest()[:36]
    try:
        base.transact(ops, token=token)
        return True
    except base.TransactionCancelled as err:
        if "TransactionConflict" in err.reasons:
            held = [a for a, reason in zip(deltas, err.reasons, strict=False) if reason == "TransactionConflict"]
            raise LoadsHeld(held) from err
        if "ConditionalCheckFailed" in err.reasons:
            return False
        raise


def unassign_new_task_by_id(task_id: str, agent_id: str, queue_flag: str) -> bool:
    """`unassign_new_task` for a task known by id (read consistently): the end of a run found its agent
    departed. False if the task is gone, holds another agent or was touched since it was created."""
    item = base.strip_keys(base.get_item(**keys.callback_task(task_id), consistent=True))
    if not item or item.get("assignee_id") != agent_id or "revision" in item:
        return False
    return unassign_new_task(TaskRecord.model_validate(item), queue_flag)


def unassign_new_task(record: TaskRecord, queue_flag: str) -> bool:
    """A task just created for an agent who departed (or changed role) while the run wrote it: into the
    branch queue, unless someone already touched it (False then)."""
    data = record.model_dump(mode="json")
    data.update(assignee_id=None, queue_flag=queue_flag)
    try:
        base.put_new(
            task_item({k: v for k, v in data.items() if v is not None}),
            condition="assignee_id = :a AND attribute_not_exists(revision)",
            values={":a": record.assignee_id},
        )
        return True
    except ConditionFailed:
        return False


def create_task(record: TaskRecord, token: str) -> str:
    """Write one task: one conditional put, nothing else (issue 18: 5.4 WCU, where a transaction with the
    account's quarter counter and the inbox entry cost 13.4). Returns created | exists | conflict; a
    throttled put raises TooManyRequests at once, unsent again (the job re-queues it), a 5xx or a lost
    answer Unavailable (the job sends it again).

    `token` names the job's try and is stored on the task: a put whose answer was lost and that the job
    sends again is refused by its own first landing, and the refusal carries the item
    (ReturnValuesOnConditionCheckFailure), so the token tells "this try landed" (created: its agent counted
    once) from "a task was there already" (exists). The account's callbacks of a quarter are counted from
    its tasks (domain/quarter_callbacks.py); the inbox entry is consumed after, in batches (`consume_all`)."""
    try:
        # Sent once: a throttle or a 5xx reaches the job at once, which re-queues the task (its worker sends
        # the next one meanwhile) or sends it again as it was; botocore's resend would hold the worker.
        with clients.sent_once():
            base.put_new({**task_item(record), WRITE_TOKEN: token}, return_old=True)
    except base.WriteConflict:  # (a ConditionFailed too: first)
        return "conflict"  # the task's key is in another writer's transaction (an agent's edit): retry
    except ConditionFailed as err:
        return "created" if (err.item or {}).get(WRITE_TOKEN) == token else "exists"
    return "created"


def consume_all(entries: list[tuple[dict, str]]) -> None:
    """Take entries out of the inbox (each: its key and the task that answers it, or "" for an event too old
    to call back), at most 100, in one transaction: one write request for a hundred entries, each kept as a
    record of what was selected. Unconditional, so a retry writes the same again; an entry the feed
    extends meanwhile (a transaction on it) cancels the whole write: raises WriteConflict, retry."""
    ops = [_consume_op(key, task_id) for key, task_id in {(k["pk"], k["sk"]): (k, t) for k, t in entries}.values()]
    if not ops:
        return
    try:
        base.transact(ops)
    except base.TransactionCancelled as err:
        if "TransactionConflict" in err.reasons:
            raise base.WriteConflict("an inbox entry is in another transaction, retry") from err
        raise


# --- run records and the watermark --------------------------------------------------------
def get_run(day: date) -> dict | None:
    return base.strip_keys(base.get_item(**keys.job_run(JOB, day), consistent=True))


def start_run(day: date, at: str) -> None:
    """First run of a date: raises ConditionFailed if another run already started it."""
    base.put_new(
        {
            **keys.job_run(JOB, day),
            "job": JOB,
            "business_date": str(day),
            "status": "running",
            "started_at": at,
            "attempts": 1,
        }
    )


def finish_run(
    day: date, status: str, at: str, counts: dict, attempts_add: int, done_triggers: list[str] | None = None
) -> None:
    base.update(
        **keys.job_run(JOB, day),
        expression="SET #s = :s, finished_at = :at, counts = :c, job = :j, business_date = :d, "
        "done_triggers = :done ADD attempts :n",
        names={"#s": "status"},
        values={
            ":s": status,
            ":at": at,
            ":c": counts,
            ":j": JOB,
            ":d": str(day),
            ":n": attempts_add,
            ":done": list(done_triggers or []),
        },
        return_values="NONE",
    )


def get_watermark() -> date | None:
    item = base.get_item(**keys.job_watermark(JOB), consistent=True)
    return date.fromisoformat(item["business_date"]) if item else None


def advance_watermark(day: date, at: str) -> bool:
    """Move the watermark to `day` only forward; False if it was already there or beyond."""
    try:
        base.update(
            **keys.job_watermark(JOB),
            expression="SET business_date = :d, updated_at = :at",
            values={":d": str(day), ":at": at},
            condition="attribute_not_exists(business_date) OR business_date < :d",
            return_values="NONE",
        )
        return True
    except ConditionFailed:
        return False
