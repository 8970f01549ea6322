"""Branches in memory, with the table's semantics: a new id only, listed by branch_id in pages."""

from __future__ import annotations

import copy

from ...errors import ConditionFailed
from ..base import Page


class MemoryBranchRepository:
    def __init__(self) -> None:
        self.branches: dict[str, dict] = {}

    def create(self, record: dict) -> None:
        if record["branch_id"] in self.branches:
            raise ConditionFailed("branch exists")
        self.branches[record["branch_id"]] = copy.deepcopy(record)

    def get(self, branch_id: str) -> dict | None:
        return copy.deepcopy(self.branches.get(branch_id))

    def list(self, *, limit: int, start_key: dict | None = None) -> Page:
        ids = sorted(i for i in self.branches if not start_key or i > start_key["after"])
        shown = ids[:limit]
        more = len(ids) > limit
        return Page([copy.deepcopy(self.branches[i]) for i in shown], {"after": shown[-1]} if more else None)
