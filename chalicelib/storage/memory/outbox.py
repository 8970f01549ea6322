"""The outbox in memory, with the table's semantics: an entry recorded once (a second record of the same
id cancels its transaction), pending entries swept by shard soonest due first, a retry only while
pending, delivered ones listed by month newest first, copies on read.

`entry_op` returns a transaction item as the table's does; another area's fake (or a test) writes it with
`commit(op)`, which is all or nothing for that one entry."""

from __future__ import annotations

import copy

from ...domain.outbox_ports import OutboxEntryNotPending
from ...errors import ConditionFailed
from .. import keys
from ..base import Page

DONE = "done"


class MemoryOutboxRepository:
    shards = keys.OUTBOX_SHARDS

    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}

    # --- writes ------------------------------------------------------------------------------------
    def entry_op(self, entry: dict) -> dict:
        return {"memory_outbox_entry": copy.deepcopy(entry)}

    def commit(self, op: dict) -> None:
        entry = op["memory_outbox_entry"]
        if entry["entry_id"] in self.entries:
            raise ConditionFailed(f"outbox entry {entry['entry_id']} exists")
        self.entries[entry["entry_id"]] = copy.deepcopy(entry)

    def mark_delivered(self, entry_id: str, at: str) -> None:
        e = self.entries.setdefault(entry_id, {"entry_id": entry_id})  # an update creates what is missing
        e.update(status="delivered", delivered_at=at, attempts=int(e.get("attempts", 0)) + 1)

    def mark_retry(self, entry_id: str, due_at: str, error: str, at: str) -> None:
        e = self.entries.get(entry_id)
        if e is None or e.get("status") != "pending":
            raise OutboxEntryNotPending(entry_id)
        e.update(due_at=due_at, last_error=error, last_attempt_at=at, attempts=int(e.get("attempts", 0)) + 1)

    # --- reads -------------------------------------------------------------------------------------
    def get(self, entry_id: str) -> dict | None:
        found = self.entries.get(entry_id)
        return copy.deepcopy(found) if found else None

    def _pending(self) -> list[tuple[str, dict]]:
        return sorted(
            (f"{e['due_at']}#{e['entry_id']}", e) for e in self.entries.values() if e.get("status") == "pending"
        )

    def due(self, shard_no: int, until: str, limit: int = 100) -> list[dict]:
        found = [
            e
            for sort_key, e in self._pending()
            if keys.shard(e["entry_id"], self.shards) == shard_no and sort_key <= f"{until}#~"
        ]
        return copy.deepcopy(found[:limit])

    def list_pending(self, *, kind: str | None, failing: bool, limit: int, cursors: list | None = None) -> Page:
        # one position for every shard (the table keeps one per shard; merged, the order is the same)
        after = next((c for c in cursors or [] if c not in (None, DONE)), None)
        if cursors and all(c == DONE for c in cursors):
            return Page(items=[])
        matching = [
            (k, e)
            for k, e in self._pending()
            if (not kind or e.get("kind") == kind)
            and (not failing or int(e.get("attempts", 0)) > 0)
            and (after is None or k > after)
        ]
        shown = matching[:limit]
        more = len(matching) > limit
        return Page(
            items=copy.deepcopy([e for _, e in shown]),
            last_key={"shards": [shown[-1][0]] * self.shards} if more else None,
        )

    def list_delivered(self, month: str, *, kind: str | None, limit: int, start_key: dict | None = None) -> Page:
        matching = sorted(
            (
                (f"{e['delivered_at']}#{e['entry_id']}", e)
                for e in self.entries.values()
                if e.get("status") == "delivered"
                and str(e.get("delivered_at", ""))[:7] == month
                and (not kind or e.get("kind") == kind)
            ),
            reverse=True,
        )
        if start_key:
            matching = [(k, e) for k, e in matching if k < start_key["after"]]
        shown = matching[:limit]
        more = len(matching) > limit
        return Page(items=copy.deepcopy([e for _, e in shown]), last_key={"after": shown[-1][0]} if more else None)


class MemoryOutboxDeliveries:
    """Where the handlers deliver, in memory: penalties by id, flags raised once each, notices in order."""

    def __init__(self, prospect_deps: object | None = None) -> None:
        self.penalties: dict[str, dict] = {}
        self.flags: dict[str, dict] = {}
        self.notices: list[tuple[str, dict]] = []
        self._prospect_deps = prospect_deps

    def penalty(self, penalty_id: str) -> dict | None:
        found = self.penalties.get(penalty_id)
        return copy.deepcopy(found) if found else None

    def put_penalty_flag(self, flag: dict) -> bool:
        if flag["flag_id"] in self.flags:
            return False
        self.flags[flag["flag_id"]] = copy.deepcopy(flag)
        return True

    def notify_escalation(self, kind: str, record: dict) -> None:
        self.notices.append((kind, copy.deepcopy(record)))

    def prospect_deps(self) -> object:
        if self._prospect_deps is None:
            raise LookupError("no prospects dependencies given to this fake")
        return self._prospect_deps
