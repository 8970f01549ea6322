"""`CounterRecords` on DynamoDB (domain/reconcile_ports.py): storage/counters.py and the agents' load items
of storage/callback_work.py. Called through their modules, so a fault injected there reaches the adapter."""

from __future__ import annotations

from . import callback_work, counters


class DynamoCounterRecords:
    def callback_agents(self) -> list[dict]:
        return callback_work.callback_agents()

    def agent_loads(self, agent_ids: list[str]) -> dict[str, int]:
        return callback_work.agent_loads(agent_ids)

    def open_task_count(self, agent_id: str) -> int:
        return callback_work.open_task_count(agent_id)

    def set_open_tasks(self, agent_id: str, expected: int | None, actual: int) -> bool:
        return callback_work.set_open_tasks(agent_id, expected, actual)

    def outlet_ids(self) -> list[str]:
        return counters.outlet_ids()

    def key_slots(self, outlet_id: str) -> tuple[bool, int | None]:
        return counters.key_slots(outlet_id)

    def active_keys(self, outlet_id: str) -> int:
        return counters.active_keys(outlet_id)

    def set_key_slots(self, outlet_id: str, exists: bool, read: int | None, active: int) -> bool:
        return counters.set_key_slots(outlet_id, exists, read, active)

    def staff_ids(self) -> list[str]:
        return counters.staff_ids()

    def reveal_counters(self, actor_ids: list[str], day: str) -> dict[str, int]:
        return counters.reveal_counters(actor_ids, day) if actor_ids else {}

    def reveal_counter(self, actor_id: str, day: str) -> tuple[bool, int | None]:
        return counters.reveal_counter(actor_id, day)

    def granted_reveals(self, day: str) -> dict[str, int]:
        return counters.granted_reveals(day)

    def set_reveal_counter(self, actor_id: str, day: str, exists: bool, read: int | None, granted: int) -> bool:
        return counters.set_reveal_counter(actor_id, day, exists, read, granted)
