"""What the regulator's 10% sample (domain/sample.py) needs from storage: the year-end snapshot (its members
in a fixed order, the branch's count), the year's progress (cursor, picked), each date's pick, and the
accounts' tasks the selection writes (the coverage and the quarterly cap are counted from them).

Bound to DynamoDB by `chalicelib/wiring/selection.py`; the rule tests use `storage/memory/selection.py`,
one contract suite runs on both (tests/contract/test_sample_repository.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

from .ports import Port


class SampleRepository(Protocol):
    def branch_ids(self) -> list[str]:
        """Every branch, sorted."""
        ...

    def active_on(self, day: date) -> Iterator[dict]:
        """Open accounts whose last activity was on `day` (every shard)."""
        ...

    def accounts(self, account_ids: list[str]) -> dict[str, dict]: ...

    def write_members(self, year: int, members: list[dict]) -> None:
        """Snapshot members (`account_id`, `branch_id`); writing one again changes nothing."""
        ...

    def members_after(self, year: int, branch_id: str, cursor: str | None, limit: int) -> list[dict]:
        """Up to `limit` members after `cursor` in the sample order (from the first without one)."""
        ...

    def member_cursor(self, year: int, account_id: str) -> str:
        """The cursor just past this member in the sample order (a fixed keyed-hash order of year and account)."""
        ...

    def get_year_end(self, branch_id: str, year: int) -> dict | None:
        """The denominator the coverage report reads (`clients`, `source`), or None before a snapshot."""
        ...

    def put_count(self, branch_id: str, year: int, clients: int, at: str, by: str) -> None: ...

    def get_state(self, branch_id: str, year: int) -> dict:
        """The year's progress (`cursor`, `picked`; {} before the first pick), read consistently."""
        ...

    def get_day(self, branch_id: str, day: date) -> dict | None:
        """The date's recorded pick (`account_ids`), read consistently."""
        ...

    def record_day(
        self,
        branch_id: str,
        day: date,
        account_ids: list[str],
        cursor_before: str | None,
        cursor_after: str | None,
        at: str,
    ) -> bool:
        """The date's pick and the cursor moved from `cursor_before` in one write; False if another run
        moved the cursor (or recorded the date) first."""
        ...

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        """Each account's tasks created on or after `since`, by account (absent: none); eventually
        consistent. What the coverage and the quarterly cap are counted from (domain/quarter_callbacks)."""
        ...


SAMPLE: Port[SampleRepository] = Port("sample")
