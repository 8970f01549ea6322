"""The DynamoDB implementation of `domain.sample_ports.SampleRepository`: storage/sample.py's functions
(their requests unchanged) and the accounts read as the selection reads them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from . import sample as store
from . import selection, tasks


class DynamoSampleRepository:
    def branch_ids(self) -> list[str]:
        return store.branch_ids()

    def active_on(self, day: date) -> Iterator[dict]:
        return store.active_on(day)

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return selection.accounts(account_ids)

    def write_members(self, year: int, members: list[dict]) -> None:
        store.write_members(year, members)

    def members_after(self, year: int, branch_id: str, cursor: str | None, limit: int) -> list[dict]:
        return store.members_after(year, branch_id, cursor, limit)[0]

    def member_cursor(self, year: int, account_id: str) -> str:
        return store.member_order(year, account_id) + "#" + account_id  # the member's sort key

    def get_year_end(self, branch_id: str, year: int) -> dict | None:
        return store.get_year_end(branch_id, year)

    def put_count(self, branch_id: str, year: int, clients: int, at: str, by: str) -> None:
        store.put_count(branch_id, year, clients, at, by)

    def get_state(self, branch_id: str, year: int) -> dict:
        return store.get_state(branch_id, year)

    def get_day(self, branch_id: str, day: date) -> dict | None:
        return store.get_day(branch_id, day)

    def record_day(
        self,
        branch_id: str,
        day: date,
        account_ids: list[str],
        cursor_before: str | None,
        cursor_after: str | None,
        at: str,
    ) -> bool:
        return store.record_day(branch_id, day, account_ids, cursor_before, cursor_after, at)

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        return tasks.account_tasks_since(account_ids, since)
