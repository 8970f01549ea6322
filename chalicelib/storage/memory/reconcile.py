"""`CounterRecords` in memory, with the table's semantics: counters as items that exist or not, each
repair conditional on what was read, tasks on the indexes storage/tasks.py gives them (an agent's open
tasks: open or in progress, assigned). Seeded by tests through the public attributes."""

from __future__ import annotations

import copy

from ...models.tasks import OPEN_STATUSES


class MemoryCounterRecords:
    def __init__(self) -> None:
        self.staff: dict[str, dict] = {}  # staff_id -> {staff_id, role, branch_id}
        self.outlets: list[str] = []
        self.tasks: dict[str, dict] = {}  # task_id -> task
        self.loads: dict[str, dict] = {}  # agent -> its load item ({} or with open_tasks)
        self.api_keys: dict[str, list[str]] = {}  # outlet -> its keys' statuses
        self.slots: dict[str, dict] = {}  # outlet -> KEYSLOTS item
        self.reveals: dict[tuple[str, str], dict] = {}  # (actor, day) -> REVEALS item
        self.audit: list[dict] = []  # {"actor_id", "day", "outcome"}

    # --- agents' open tasks ---------------------------------------------------------------------
    def callback_agents(self) -> list[dict]:
        return [copy.deepcopy(s) for s in self.staff.values() if s.get("role") == "callback_agent"]

    def agent_loads(self, agent_ids: list[str]) -> dict[str, int]:
        return {a: int(self.loads[a].get("open_tasks", 0)) for a in dict.fromkeys(agent_ids) if a in self.loads}

    def open_task_count(self, agent_id: str) -> int:
        return sum(1 for t in self.tasks.values() if t.get("assignee_id") == agent_id and t["status"] in OPEN_STATUSES)

    def set_open_tasks(self, agent_id: str, expected: int | None, actual: int) -> bool:
        held = self.loads.get(agent_id, {}).get("open_tasks")
        if held != expected:
            return False
        self.loads.setdefault(agent_id, {})["open_tasks"] = actual
        return True

    # --- an outlet's active API keys ---------------------------------------------------------------
    def outlet_ids(self) -> list[str]:
        return sorted(self.outlets)

    def key_slots(self, outlet_id: str) -> tuple[bool, int | None]:
        held = self.slots.get(outlet_id)
        return held is not None, (int(held["active"]) if held and held.get("active") is not None else None)

    def active_keys(self, outlet_id: str) -> int:
        return sum(1 for status in self.api_keys.get(outlet_id, []) if status == "active")

    def set_key_slots(self, outlet_id: str, exists: bool, read: int | None, active: int) -> bool:
        return _set_if_unchanged(self.slots, outlet_id, "active", exists, read, active)

    # --- a person's granted reveals of a day -------------------------------------------------------
    def staff_ids(self) -> list[str]:
        return sorted(self.staff)

    def reveal_counters(self, actor_ids: list[str], day: str) -> dict[str, int]:
        return {
            a: int(self.reveals[(a, day)].get("granted", 0))
            for a in dict.fromkeys(actor_ids)
            if (a, day) in self.reveals
        }

    def reveal_counter(self, actor_id: str, day: str) -> tuple[bool, int | None]:
        held = self.reveals.get((actor_id, day))
        return held is not None, (int(held["granted"]) if held and held.get("granted") is not None else None)

    def granted_reveals(self, day: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.audit:
            if entry["day"] == day and entry.get("outcome") == "granted" and entry.get("actor_id"):
                counts[entry["actor_id"]] = counts.get(entry["actor_id"], 0) + 1
        return counts

    def set_reveal_counter(self, actor_id: str, day: str, exists: bool, read: int | None, granted: int) -> bool:
        return _set_if_unchanged(self.reveals, (actor_id, day), "granted", exists, read, granted)


def _set_if_unchanged(items: dict, key, field: str, exists: bool, read: int | None, value: int) -> bool:
    """As storage/counters.py: SET `field` provided the item still exists (or not) and `field` still holds `read`."""
    held = items.get(key)
    if (held is not None) != exists or (held or {}).get(field) != read:
        return False
    items[key] = {**(held or {}), field: value}
    return True
