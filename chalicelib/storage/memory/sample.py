"""`SampleRepository` in memory, beside the selection's fake (`MemorySelection`) whose accounts and tasks
it reads, as storage/sample.py reads the selection's items: members in the keyed-hash order, the
day's pick recorded only if the cursor is still where the run read it. Every read is a copy. Seeded with
`put_branch` (and the selection fake's `put_account`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ...models.account_activity import last_activity_on
from ..sample import member_order
from ._table import read, stored
from .selection import MemorySelection


class MemorySample:
    def __init__(self, selection: MemorySelection) -> None:
        self.selection = selection
        self.branches: set[str] = set()
        self.members: dict[tuple[int, str], dict[str, dict]] = {}  # (year, branch) -> order -> member
        self.year_ends: dict[tuple[str, int], dict] = {}
        self.states: dict[tuple[str, int], dict] = {}
        self.days: dict[tuple[str, str], dict] = {}

    def put_branch(self, branch_id: str) -> None:
        self.branches.add(branch_id)

    def branch_ids(self) -> list[str]:
        return sorted(self.branches)

    def active_on(self, day: date) -> Iterator[dict]:
        for account_id in sorted(self.selection.account_items):
            item = self.selection.account_items[account_id]
            if item.get("status") == "open" and last_activity_on(item) == str(day):
                yield read(item)

    def accounts(self, account_ids: list[str]) -> dict[str, dict]:
        return self.selection.accounts(account_ids)

    def write_members(self, year: int, members: list[dict]) -> None:
        for m in members:
            self.members.setdefault((year, m["branch_id"]), {})[self.member_cursor(year, m["account_id"])] = stored(
                {"account_id": m["account_id"], "branch_id": m["branch_id"], "year": year}
            )

    def members_after(self, year: int, branch_id: str, cursor: str | None, limit: int) -> list[dict]:
        listed = self.members.get((year, branch_id), {})
        after = sorted(k for k in listed if cursor is None or k >= cursor + "~")
        return [read(listed[k]) for k in after[:limit]]

    def member_cursor(self, year: int, account_id: str) -> str:
        return member_order(year, account_id) + "#" + account_id

    def get_year_end(self, branch_id: str, year: int) -> dict | None:
        return read(self.year_ends.get((branch_id, year)))

    def put_count(self, branch_id: str, year: int, clients: int, at: str, by: str) -> None:
        self.year_ends[(branch_id, year)] = stored(
            {
                "branch_id": branch_id,
                "year": year,
                "clients": clients,
                "source": "snapshot",
                "computed_at": at,
                "computed_by": by,
            }
        )

    def get_state(self, branch_id: str, year: int) -> dict:
        return read(self.states.get((branch_id, year), {}))

    def get_day(self, branch_id: str, day: date) -> dict | None:
        return read(self.days.get((branch_id, str(day))))

    def record_day(
        self,
        branch_id: str,
        day: date,
        account_ids: list[str],
        cursor_before: str | None,
        cursor_after: str | None,
        at: str,
    ) -> bool:
        state = self.states.get((branch_id, day.year), {})
        if state.get("cursor") != cursor_before or (cursor_before is None and "cursor" in state):
            return False
        self.days[(branch_id, str(day))] = stored(
            {
                "branch_id": branch_id,
                "business_date": str(day),
                "account_ids": list(account_ids),
                "cursor_before": cursor_before,
                "cursor_after": cursor_after,
                "recorded_at": at,
            }
        )
        self.states[(branch_id, day.year)] = stored(
            {
                **state,
                "cursor": cursor_after or cursor_before or "",
                "updated_at": at,
                "picked": int(state.get("picked", 0)) + len(account_ids),
            }
        )
        return True

    def account_tasks_since(self, account_ids: list[str], since: date) -> dict[str, list[dict]]:
        return self.selection.account_tasks_since(account_ids, since)
