"""`SelectionRepository` in memory, with the table's semantics: the candidates the sparse indexes would
hold (an inbox entry until its task consumes it, open accounts by last activity, by periodic phase and by
manager, departures until selected), page by page through the job's `call`, shard by shard; a task write
new by id, its try's token kept on it so a landed try's resend is answered "created" again; inbox entries
consumed a hundred at a time; LOAD adds fenced as `storage/selection.add_loads_once`.
Every read is a copy. Seeded with `put_account`, `put_inbox`, `put_staff`, `put_load`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from ...config import get_settings
from ...domain.selection_ports import Call, InboxEntryBusy, LoadItemBusy, TaskWrite
from ...models.account_activity import last_activity_on
from ...models.tasks import TaskRecord
from .. import keys
from ..accounts import period_days, periodic_bucket, periodic_phase, periodic_tier
from ._table import read, stored


class MemorySelection:
    def __init__(self, *, page_size: int = 100) -> None:
        self.page_size = page_size
        self.account_items: dict[str, dict] = {}
        self.inbox: dict[tuple[str, str], dict] = {}  # (pk, sk) of the entry -> entry
        self.staff: dict[str, dict] = {}
        self.pending_departures: set[str] = set()
        self.loads: dict[str, dict] = {}  # agent -> {"open_tasks": n, <fence>: <mark>}
        self.tasks: dict[str, dict] = {}
        self.busy_consumes = 0  # consumes still refused (the feed holding an entry in its transaction)
        self.held_loads: dict[str, int] = {}  # agent -> LOAD adds still refused (another transaction holds it)

    # --- seeding (what the feed, the directory and earlier runs write) ----------------------------------
    def put_account(self, state: dict) -> None:
        self.account_items[state["account_id"]] = stored(state)

    def put_inbox(self, entry: dict) -> None:
        """An entry as `storage/accounts.inbox_item` takes it (a large outflow's `transfer` appended)."""
        key = keys.selection_inbox(entry["account_id"], entry["trigger"], entry["episode"])
        current = self.inbox.get((key["pk"], key["sk"]), {})
        item = {
            "trigger": entry["trigger"],
            "episode": entry["episode"],
            "event_on": entry["event_on"],
            "account_id": entry["account_id"],
            "account": entry["account"],
            "detail": entry.get("detail", {}),
        }
        if "transfer" in entry:
            item["transfers"] = current.get("transfers", []) + [entry["transfer"]]
        self.inbox[(key["pk"], key["sk"])] = stored(item)

    def put_staff(self, record: dict) -> None:
        self.staff[record["staff_id"]] = stored(record)
        if record.get("departed_on"):
            self.pending_departures.add(record["staff_id"])

    def put_load(self, agent_id: str, open_tasks: int) -> None:
        self.loads.setdefault(agent_id, {})["open_tasks"] = open_tasks

    # --- pages ------------------------------------------------------------------------------------------
    def _shards(self, shards: Iterable[int] | None) -> Iterable[int]:
        return range(get_settings().selection_shards) if shards is None else shards

    def _in_shard(self, account_id: str, shard: int) -> bool:
        return keys.shard(account_id, get_settings().selection_shards) == shard

    def _page(self, rows: list[tuple[str, dict]], after: str | None) -> tuple[list[dict], str | None]:
        rest = [r for r in rows if after is None or r[0] > after][: self.page_size + 1]
        shown = rest[: self.page_size]
        return [read(item) for _, item in shown], (shown[-1][0] if len(rest) > self.page_size else None)

    def _pages(self, rows_of: Callable[[int], list[tuple[str, dict]]], call: Call, shards) -> Iterator[list[dict]]:
        for shard in self._shards(shards):
            rows, after = sorted(rows_of(shard), key=lambda r: r[0]), None
            while True:
                items, after = call(self._page, rows, after)
                if items:
                    yield items
                if after is None:
                    break

    def _open_accounts(self, shard: int | None = None) -> list[tuple[str, dict]]:
        return [
            (a, item)
            for a, item in self.account_items.items()
            if item.get("status") == "open" and (shard is None or self._in_shard(a, shard))
        ]

    def inbox_pages(self, through: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        def rows(shard: int) -> list[tuple[str, dict]]:
            out = []
            for (pk, sk), e in self.inbox.items():
                if "event_on" not in e or "selected_task" in e or not self._in_shard(e["account_id"], shard):
                    continue
                order = f"{e['event_on']}#{e['trigger']}#{e['account_id']}#{e['episode']}"
                if order <= f"{through}~":
                    out.append((order, {**e, "inbox_key": {"pk": pk, "sk": sk}}))
            return out

        return self._pages(rows, call, shards)

    def last_active_on(self, day: date, call: Call, shards: Iterable[int] | None = None) -> Iterator[list[dict]]:
        def rows(shard: int) -> list[tuple[str, dict]]:
            return [(a, i) for a, i in self._open_accounts(shard) if last_activity_on(i) == str(day)]

        return self._pages(rows, call, shards)

    def periodic_due(
        self, tier: str, day: date, days: int, call: Call, shards: Iterable[int] | None = None
    ) -> Iterator[list[dict]]:
        def rows(shard: int) -> list[tuple[str, dict]]:
            out = []
            for a, item in self._open_accounts(shard):
                own = period_days(periodic_tier(item))
                if periodic_tier(item) == tier and own and periodic_phase(a, own) == periodic_bucket(day, days):
                    out.append((a, item))
            return out

        return self._pages(rows, call, shards)

    def manager_accounts(self, manager_id: str, call: Call) -> Iterator[list[dict]]:
        def rows(_: int) -> list[tuple[str, dict]]:
            return [(a, i) for a, i in self._open_accounts() if i.get("serving_manager_id") == manager_id]

        return self._pages(rows, call, [0])

    def departures_pending(self, through: date) -> list[dict]:
        pending = [self.staff[s] for s in self.pending_departures if self.staff[s]["departed_on"] <= str(through)]
        return [read(s) for s in sorted(pending, key=lambda s: (s["departed_on"], s["staff_id"]))]

    def mark_departure_selected(self, staff_id: str, departed_on: str, at: str) -> None:
        record = self.staff.get(staff_id)
        if record is not None and record.get("departed_on") == departed_on:
            record["departure_selected_at"] = at
            self.pending_departures.discard(staff_id)

    # --- reads of a page ----------------------------------------------------------------------------------
    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return {a: read(self.account_items[a]) for a in dict.fromkeys(account_ids) if a in self.account_items}

    def existing_tasks(self, task_ids: list[str]) -> set[str]:
        return {t for t in task_ids if t in self.tasks}

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for a in dict.fromkeys(account_ids):
            found = sorted(
                (t for t in self.tasks.values() if t["account_id"] == a and t["created_at"] >= str(since)),
                key=lambda t: (t["created_at"], t["task_id"]),
            )
            if found:
                out[a] = [read(t) for t in found]
        return out

    def branch_agents(self, branch_id: str) -> list[dict]:
        agents = sorted(
            (s for s in self.staff.values() if s.get("branch_id") == branch_id and s.get("role") == "callback_agent"),
            key=lambda s: s["staff_id"],
        )
        return [{**read(a), "open_tasks": int(self.loads.get(a["staff_id"], {}).get("open_tasks", 0))} for a in agents]

    def staff_records(self, staff_ids: list[str]) -> dict[str, dict]:
        wanted = ("staff_id", "status", "role")
        return {s: {k: self.staff[s][k] for k in wanted if k in self.staff[s]} for s in staff_ids if s in self.staff}

    # --- writes -------------------------------------------------------------------------------------------
    def consume_all(self, entries: list[tuple[dict, str]]) -> None:
        if len(entries) > 100:
            raise ValueError("a consume takes at most 100 entries (one transaction)")
        if self.busy_consumes:
            self.busy_consumes -= 1
            raise InboxEntryBusy("an inbox entry is in another transaction")
        for inbox_key, task_id in entries:
            # An update: it creates the item if it is gone (never indexed then), as the table's UpdateItem does.
            self.inbox.setdefault((inbox_key["pk"], inbox_key["sk"]), {})["selected_task"] = task_id

    def create_task(self, record: TaskRecord, token: str) -> TaskWrite:
        held = self.tasks.get(record.task_id)
        if held is not None:
            # The table's refusal carries the item: its token tells this try's own landing from another's.
            return TaskWrite.created if held.get("write_token") == token else TaskWrite.exists
        self.tasks[record.task_id] = stored({**record.model_dump(mode="json", exclude_none=True), "write_token": token})
        return TaskWrite.created

    def add_loads_once(self, deltas: dict[str, int], fence: str, mark: str) -> bool:
        if len(deltas) > 100:
            raise ValueError("a transaction takes at most 100 items")
        held = [a for a in deltas if self.held_loads.get(a, 0) > 0]
        if held:  # as DynamoDB: the whole transaction cancelled, each held item named
            for agent in held:
                self.held_loads[agent] -= 1
            raise LoadItemBusy(agents=held)
        run = mark.rsplit("#", 1)[0] + "#"
        for agent in deltas:
            seen = self.loads.get(agent, {}).get(fence)
            if seen is not None and not (seen < mark or not seen.startswith(run)):
                return False  # this add (or a later one of the same run) landed already
        for agent, delta in deltas.items():
            item = self.loads.setdefault(agent, {})
            item[fence] = mark
            item["open_tasks"] = int(item.get("open_tasks", 0)) + delta
        return True

    def unassign_new_task_by_id(self, task_id: str, agent_id: str, queue_flag: str) -> bool:
        item = self.tasks.get(task_id)
        if not item or item.get("assignee_id") != agent_id or "revision" in item:
            return False
        item.pop("assignee_id")
        item["queue_flag"] = queue_flag
        return True

    # --- what a test reads back ---------------------------------------------------------------------------
    def task(self, task_id: str) -> dict | None:
        return read(self.tasks.get(task_id))

    def load(self, agent_id: str) -> int:
        return int(self.loads.get(agent_id, {}).get("open_tasks", 0))
