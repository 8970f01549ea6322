"""`CallbackReportRepository` in memory: tasks by branch and month of selection (oldest first, as the
month index), openings by day, the year-end figure (the last put wins) and the snapshot members."""

from __future__ import annotations

import copy
from datetime import date

from ._table import stored


class MemoryCallbackReports:
    def __init__(self) -> None:
        self.tasks: list[dict] = []
        self.openings: dict[str, tuple[str, str]] = {}  # account id -> (branch id, opened_on)
        self.year_ends: dict[tuple[str, int], dict] = {}
        self.members: dict[tuple[int, str], set[str]] = {}

    def add_task(self, record: dict) -> None:
        self.tasks.append(stored(record))

    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]:
        found = [t for t in self.tasks if t["branch_id"] == branch_id and str(t["business_date"]).startswith(month)]
        return copy.deepcopy(sorted(found, key=lambda t: (str(t["business_date"]), t["task_id"])))

    def accounts_opened_between(self, branch_id: str, first: date, last: date) -> dict[str, str]:
        return {
            a: day
            for a, (branch, day) in self.openings.items()
            if branch == branch_id and first.isoformat() <= day <= last.isoformat()
        }

    def get_year_end(self, branch_id: str, year: int) -> dict | None:
        return copy.deepcopy(self.year_ends.get((branch_id, int(year))))

    def put_year_end(self, record: dict) -> None:
        self.year_ends[(record["branch_id"], int(record["year"]))] = stored(record)

    def year_end_members(self, year: int, branch_id: str) -> set[str]:
        return set(self.members.get((year, branch_id), set()))
