"""The DynamoDB implementations of `domain.selection_ports.SelectionRepository` and `SelectionRuns`.

They delegate to the storage functions (storage/selection.py, storage/selection_shards.py), which keep
the requests they send (the replay benchmark and the route-cost pins count them), and turn their answers
into the port's: a task write's string into `TaskWrite`, a LOAD item held by another transaction
(`base.WriteConflict`) into `LoadItemBusy`, a run record started already (ConditionFailed) into False.
Each call looks the storage function up when it runs, so a test that patches one still sees its patch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from ..domain.selection_ports import Call, InboxEntryBusy, LoadItemBusy, TaskWrite
from ..errors import ConditionFailed
from ..models.tasks import TaskRecord
from . import base, tasks
from . import selection as store
from . import selection_shards as shard_store
from .accounts import periodic_tier


class DynamoSelectionRepository:
    def inbox_pages(self, through: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        return store.inbox_pages(through, call=call, shards=shards)

    def last_active_on(self, day: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        return store.last_active_on(day, call=call, shards=shards)

    def periodic_due(
        self, tier: str, day: date, days: int, call: Call, shards: Iterable[int] | None = None
    ) -> Iterator[list[dict]]:
        for page in store.periodic_due(tier, day, days, call=call, shards=shards):
            # A tier change moves the account to another bucket; its cycle is read from the item.
            yield [a for a in page if periodic_tier(a) == tier]

    def manager_accounts(self, manager_id: str, call: Call) -> Iterator[list[dict]]:
        return store.manager_accounts(manager_id, call=call)

    def departures_pending(self, through: date) -> list[dict]:
        return store.departures_pending(through)

    def mark_departure_selected(self, staff_id: str, departed_on: str, at: str) -> None:
        store.mark_departure_selected(staff_id, departed_on, at)

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return store.accounts(account_ids)

    def existing_tasks(self, task_ids: list[str]) -> set[str]:
        return store.existing_tasks(task_ids)

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        return tasks.account_tasks_since(account_ids, since)

    def branch_agents(self, branch_id: str) -> list[dict]:
        return store.branch_agents(branch_id)

    def staff_records(self, staff_ids: list[str]) -> dict[str, dict]:
        return store.staff_records(staff_ids)

    def consume_all(self, entries: list[tuple[dict, str]]) -> None:
        try:
            store.consume_all(entries)
        except base.WriteConflict as err:
            raise InboxEntryBusy(str(err)) from err

    def create_task(self, record: TaskRecord, token: str) -> TaskWrite:
        return TaskWrite(store.create_task(record, token))

    def add_loads_once(self, deltas: dict[str, int], fence: str, mark: str) -> bool:
        try:
            return store.add_loads_once(deltas, fence, mark)
        except store.LoadsHeld as err:
            raise LoadItemBusy(str(err), agents=err.agents) from err
        except base.WriteConflict as err:
            raise LoadItemBusy(str(err)) from err

    def unassign_new_task_by_id(self, task_id: str, agent_id: str, queue_flag: str) -> bool:
        return store.unassign_new_task_by_id(task_id, agent_id, queue_flag)


class DynamoSelectionRuns:
    def get_run(self, day: date) -> dict | None:
        return store.get_run(day)

    def start_run(self, day: date, at: str) -> bool:
        try:
            store.start_run(day, at)
            return True
        except ConditionFailed:
            return False

    def finish_run(
        self, day: date, status: str, at: str, counts: dict, attempts_add: int, done_triggers: list[str] | None = None
    ) -> None:
        store.finish_run(day, status, at, counts, attempts_add, done_triggers)

    def shard_runs(self, day: date) -> dict[int, dict]:
        return shard_store.shard_runs(day)

    def mark_queued(self, day: date, shard_no: int, at: str, stale_before: str) -> bool:
        return shard_store.mark_queued(day, shard_no, at, stale_before)

    def unmark_queued(self, day: date, shard_no: int, at: str) -> None:
        shard_store.unmark_queued(day, shard_no, at)

    def start_shard(self, day: date, shard_no: int, at: str) -> bool:
        return shard_store.start_shard(day, shard_no, at)

    def finish_shard(
        self, day: date, shard_no: int, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None:
        shard_store.finish_shard(day, shard_no, status, at, counts, done_triggers)

    def claim_common(self, day: date, owner: str, now: str, until: str) -> dict | None:
        return shard_store.claim_common(day, owner, now, until)

    def finish_common(
        self, day: date, owner: str, status: str, at: str, counts: dict, done_triggers: list[str]
    ) -> None:
        shard_store.finish_common(day, owner, status, at, counts, done_triggers)
