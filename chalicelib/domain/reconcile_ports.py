"""What the counter checks (domain/reconcile.py) read and repair: each counter and the records it counts.

`storage/reconcile_repo.py` implements it on DynamoDB (storage/counters.py and the callback-work items),
`storage/memory/reconcile.py` in memory; `tests/contract/test_reconcile_repository.py` runs one body
against both. Every `set_*` is conditional on the counter still holding what was read (and the item still
existing or not): False, nothing written, when it moved meanwhile - the next run looks again.
"""

from __future__ import annotations

from typing import Protocol

from .ports import Port


class CounterRecords(Protocol):
    # --- agents' open tasks ---------------------------------------------------------------------
    def callback_agents(self) -> list[dict]:
        """Every callback agent of the directory."""
        ...

    def agent_loads(self, agent_ids: list[str]) -> dict[str, int]:
        """The `open_tasks` counters of these agents; an agent without a counter item is left out."""
        ...

    def open_task_count(self, agent_id: str) -> int:
        """The agent's open tasks, counted on the assignee index (the records)."""
        ...

    def set_open_tasks(self, agent_id: str, expected: int | None, actual: int) -> bool: ...

    # --- an outlet's active API keys ---------------------------------------------------------------
    def outlet_ids(self) -> list[str]: ...

    def key_slots(self, outlet_id: str) -> tuple[bool, int | None]:
        """(the counter item exists, its `active`)."""
        ...

    def active_keys(self, outlet_id: str) -> int: ...

    def set_key_slots(self, outlet_id: str, exists: bool, read: int | None, active: int) -> bool: ...

    # --- a person's granted reveals of a day -------------------------------------------------------
    def staff_ids(self) -> list[str]: ...

    def reveal_counters(self, actor_ids: list[str], day: str) -> dict[str, int]:
        """The `granted` counters of these people for the day; no counter item, left out."""
        ...

    def reveal_counter(self, actor_id: str, day: str) -> tuple[bool, int | None]:
        """(the counter item exists, its `granted`), read consistently."""
        ...

    def granted_reveals(self, day: str) -> dict[str, int]:
        """Granted reveals of a business day by person, counted in the disclosure audit itself."""
        ...

    def set_reveal_counter(self, actor_id: str, day: str, exists: bool, read: int | None, granted: int) -> bool: ...


COUNTER_RECORDS: Port[CounterRecords] = Port("counter_records")
