"""`ProblemRepository` in memory, with the table's semantics: conditional writes all or nothing, the index
orders of `storage/keys.py` (gsi1 severity#created#id, gsi2 created#id, gsi3 the unresolved items' due
hour), every read a copy. The other areas' transaction items written with an item (`escalation`,
`new_task`) are kept in `escalations` and `tasks`, written only when the item is."""

from __future__ import annotations

import copy
from collections.abc import Callable

from ...domain.problems_ports import ProblemChanged
from ...models.problems import UNRESOLVED
from ..base import Page


def _page(rows: list[tuple[str, dict]], limit: int, start_key: dict | None, keep=None) -> Page:
    rows = sorted(rows, key=lambda r: r[0])
    if start_key:
        rows = [r for r in rows if r[0] > start_key["after"]]
    if keep:
        rows = [r for r in rows if keep(r[1])]
    shown = rows[:limit]
    return Page([copy.deepcopy(r[1]) for r in shown], {"after": shown[-1][0]} if len(rows) > limit else None)


class MemoryProblemRepository:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.escalations: list[dict] = []
        self.tasks: list[dict] = []

    def create(self, record: dict, *, escalation: dict | None = None) -> None:
        if record["problem_id"] in self.items:
            raise ProblemChanged()
        self.items[record["problem_id"]] = copy.deepcopy(record)
        if escalation:
            self.escalations.append(copy.deepcopy(escalation))

    def get(self, problem_id: str) -> dict | None:
        return copy.deepcopy(self.items.get(problem_id))

    def replace(self, record: dict, *, expected_status: str, new_task: dict | None = None) -> None:
        stored = self.items.get(record["problem_id"])
        if not stored or stored["status"] != expected_status:
            raise ProblemChanged()
        self.items[record["problem_id"]] = copy.deepcopy(record)
        if new_task:
            self.tasks.append(copy.deepcopy(new_task))

    def list_by_status(self, status: str, *, limit: int, start_key: dict | None = None) -> Page:
        rows = [
            (f"{i['severity']}#{i['created_at']}#{i['problem_id']}", i)
            for i in self.items.values()
            if i["status"] == status
        ]
        return _page(rows, limit, start_key)

    def _month_rows(self, branch_id: str, month: str) -> list[tuple[str, dict]]:
        return [
            (f"{i['created_at']}#{i['problem_id']}", i)
            for i in self.items.values()
            if i["branch_id"] == branch_id and i["created_at"][:7] == month
        ]

    def list_branch_month(
        self,
        branch_id: str,
        month: str,
        *,
        limit: int,
        start_key: dict | None = None,
        keep: Callable[[dict], bool] | None = None,
    ) -> Page:
        return _page(self._month_rows(branch_id, month), limit, start_key, keep)

    def all_branch_month(self, branch_id: str, month: str) -> list[dict]:
        return [copy.deepcopy(i) for _, i in sorted(self._month_rows(branch_id, month), key=lambda r: r[0])]

    def due_in_hour(self, hour: str) -> list[dict]:
        rows = sorted(
            (i["problem_id"], i) for i in self.items.values() if i["status"] in UNRESOLVED and i["due_at"][:13] == hour
        )
        return [copy.deepcopy(i) for _, i in rows]

    def flag_overdue(self, problem_id: str, at: str, *, escalation: dict | None = None) -> bool:
        item = self.items.get(problem_id)
        if not item or item.get("overdue_at") or item["status"] not in ("open", "in_progress"):
            return False
        item.update(overdue=True, overdue_at=at, escalated=True)
        if escalation:
            self.escalations.append(copy.deepcopy(escalation))
        return True
