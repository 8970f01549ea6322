"""Ports of the daily selection (issue 17 §1): what the job reads and writes, its run records, and the
queue its fan-out sends shard messages through.

- `SELECTION` (`SelectionRepository`): the candidates (the selection inbox and the date-bucketed indexes,
  page by page), the accounts, the accounts' tasks and agents' LOAD items; each task is one
  conditional write answered with a named outcome (`TaskWrite`).
- `SELECTION_RUNS` (`SelectionRuns`): the date's run record and, fanned out, one record per shard with
  the claim on the once-per-date parts (domain/selection_fanout.py).
- The 10% sample has its own port (`sample_ports.SAMPLE`); the watermark is the shared one
  (`watermark_ports.WATERMARKS`, job `SELECTION_JOB`).

Bound to DynamoDB by `chalicelib/wiring/selection.py`; the rule tests use `storage/memory/selection.py`,
one contract suite runs on both (tests/contract/test_selection_repository.py). The queue is given to the
rules that send by the job (`wiring.selection.shard_queue`); tests give a list-backed fake or SQS on moto.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ConditionFailed
from .ports import Port

if TYPE_CHECKING:  # annotations only: binding the port loads no model module
    from ..models.tasks import TaskRecord

SELECTION_JOB = "selection"  # its position on the shared job watermark
COMPLETED = "completed"  # a shard's (or the per-date parts') finished status
# Agents per LOAD transaction: any one agent held by another transaction cancels it all, so at 5% contention
# per agent (bench.replay) n agents clear with 0.95^n; 20 gives the fewest requests per agent (~0.14).
LOAD_BATCH = 20
# Inbox entries per consume (a transaction holds at most 100 items): one write request per hundred entries
# keeps a task at ~1 write request, where one UpdateItem per inbox task added 0.1 (issue 18: <= 1.05).
CONSUME_BATCH = 100

# How a page iterator runs each of its reads: `call(read, *args, **kwargs)` (the job's back-off: a throttled
# page is read again from its start, so the iteration carries on).
Call = Callable[..., Any]


class TaskWrite(str, Enum):
    """What became of one task's write."""

    created = "created"  # the task landed (this try's, also when its first answer was lost)
    exists = "exists"  # the task was there already (a re-run, a concurrent run): nothing written
    conflict = "conflict"  # a concurrent transaction held the task's item: nothing written, retry


class InboxEntryBusy(ConditionFailed):
    """An inbox entry of a consume was in another transaction (the feed extending it): nothing of the
    consume was written, retry."""


class LoadItemBusy(ConditionFailed):
    """An agent's LOAD item was held by another transaction: nothing of the add was written, retry.
    `agents`: the agents whose items were held, as DynamoDB names them (empty: not known, any of them)."""

    code = "load_item_busy"

    def __init__(self, message: str = "an agent's LOAD item is in another transaction", agents: Iterable[str] = ()):
        super().__init__(message)
        self.agents = frozenset(agents)


class SelectionRepository(Protocol):
    # --- candidates, page by page ------------------------------------------------------------------
    def inbox_pages(self, through: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        """Account events waiting for selection, dated up to `through` whenever they arrived, each with the
        `inbox_key` its task consumes; every shard, or only `shards`."""
        ...

    def last_active_on(self, day: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        """Open accounts whose last activity (trade, or opening) was on `day`."""
        ...

    def periodic_due(
        self, tier: str, day: date, days: int, call: Call, shards: Iterable[int] | None = None
    ) -> Iterator[list[dict]]:
        """Open accounts of the periodic cycle `tier` (every `days`) whose phase comes up on `day`."""
        ...

    def manager_accounts(self, manager_id: str, call: Call) -> Iterator[list[dict]]:
        """The open accounts a manager serves."""
        ...

    def departures_pending(self, through: date) -> list[dict]:
        """Managers departed up to `through` whose clients were not selected yet (`staff_id`, `departed_on`)."""
        ...

    def mark_departure_selected(self, staff_id: str, departed_on: str, at: str) -> None:
        """Done with this departure (a departure date changed since stays pending)."""
        ...

    # --- reads of a page ---------------------------------------------------------------------------
    def accounts(self, account_ids: list[str]) -> dict[str, dict]: ...

    def existing_tasks(self, task_ids: list[str]) -> set[str]: ...

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        """Each account's tasks created on or after `since` (`task_id`, `trigger`, `business_date`, `risk`,
        ...), by account (absent: none); eventually consistent (a task just written may be missing)."""
        ...

    def branch_agents(self, branch_id: str) -> list[dict]:
        """The branch's callback agents, each with its `open_tasks` (its LOAD item)."""
        ...

    def staff_records(self, staff_ids: list[str]) -> dict[str, dict]:
        """The staff records as they are now (consistent: `staff_id`, `status`, `role`), by id."""
        ...

    # --- writes ------------------------------------------------------------------------------------
    def consume_all(self, entries: list[tuple[dict, str]]) -> None:
        """Inbox entries (key, the task that answers it or "" for an event too old) stop waiting, at most
        100, all or nothing; kept as records. Raises InboxEntryBusy (nothing written: retry)."""
        ...

    def create_task(self, record: TaskRecord, token: str) -> TaskWrite:
        """The task, new by id, alone in its write. `token` names this try and stays on the task: a resend
        of a try that landed answers `created` again. A throttled write raises TooManyRequests."""
        ...

    def add_loads_once(self, deltas: dict[str, int], fence: str, mark: str) -> bool:
        """Add each agent's delta to its LOAD counter (at most 100 agents) all or nothing, unless this add
        (`mark` under `fence`) already landed: then nothing is written and the answer is False (its marks
        found) or True (the table answering a resend of the same request with its first success). Raises
        LoadItemBusy (nothing written: retry)."""
        ...

    def unassign_new_task_by_id(self, task_id: str, agent_id: str, queue_flag: str) -> bool:
        """A task just created for `agent_id` into the branch queue; False if it is gone, holds another agent
        or was touched since it was created."""
        ...


class SelectionRuns(Protocol):
    """A date's run record (`status`, `counts`, `done_triggers`, the per-date parts' `common_*`) and its
    shards' records (`status`, `counts`, `done_triggers`, `queued_at`)."""

    def get_run(self, day: date) -> dict | None: ...

    def start_run(self, day: date, at: str) -> bool:
        """Create the date's run record (status running); False if a run started it already."""
        ...

    def finish_run(
        self, day: date, status: str, at: str, counts: dict, attempts_add: int, done_triggers: list[str] | None = None
    ) -> None: ...

    def shard_runs(self, day: date) -> dict[int, dict]:
        """Every shard record of the date (consistent), by shard number."""
        ...

    def mark_queued(self, day: date, shard_no: int, at: str, stale_before: str) -> bool:
        """Record that a message for the shard is being sent; False if one was sent after `stale_before`."""
        ...

    def unmark_queued(self, day: date, shard_no: int, at: str) -> None:
        """The message could not be sent (only this `at`'s mark is removed)."""
        ...

    def start_shard(self, day: date, shard_no: int, at: str) -> bool:
        """Mark the shard running; True only for its first start."""
        ...

    def finish_shard(
        self, day: date, shard_no: int, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None: ...

    def claim_common(self, day: date, owner: str, now: str, until: str) -> dict | None:
        """Take the date's once-per-date parts until `until`: the run record as it was before, or None when
        they are completed or another owner's lease has not lapsed."""
        ...

    def finish_common(
        self, day: date, owner: str, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None:
        """Record the per-date parts' outcome and release the lease (only `owner`'s)."""
        ...


class ShardQueue(Protocol):
    def send(self, messages: list[dict], delay_seconds: int = 0) -> None:
        """Send each (JSON-able) message; raises a DomainError (Unavailable) if any was refused."""
        ...


SELECTION: Port[SelectionRepository] = Port("selection")
SELECTION_RUNS: Port[SelectionRuns] = Port("selection_runs")
