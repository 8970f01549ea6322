"""The problem items' repository (issue 17 §1): what the rules of domain/problems.py ask of storage.

Records are the stored dicts of `models/problems` (status values of `TRANSITIONS`). `escalation` and
`new_task` are transaction items of other areas (the outbox entry, the verification callback) written in
the same transaction as the problem item, so the escalation or callback exists exactly when its cause does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..errors import Conflict
from .ports import Port


class ProblemChanged(Conflict):
    """The item's status is no longer the one the transition was computed from (a concurrent move)."""

    def __init__(self) -> None:
        super().__init__("the problem item changed meanwhile; reload and retry")


class ProblemPage(Protocol):
    items: list[dict]
    last_key: dict | None


class ProblemRepository(Protocol):
    def create(self, record: dict, *, escalation: dict | None = None) -> None: ...

    def get(self, problem_id: str) -> dict | None: ...

    def replace(self, record: dict, *, expected_status: str, new_task: dict | None = None) -> None:
        """Raises ProblemChanged when the stored status is not `expected_status` (nothing written)."""

    def list_by_status(self, status: str, *, limit: int, start_key: dict | None = None) -> ProblemPage: ...

    def list_branch_month(
        self,
        branch_id: str,
        month: str,
        *,
        limit: int,
        start_key: dict | None = None,
        keep: Callable[[dict], bool] | None = None,
    ) -> ProblemPage: ...

    def all_branch_month(self, branch_id: str, month: str) -> list[dict]: ...

    def due_in_hour(self, hour: str) -> list[dict]:
        """Unresolved items whose due hour (`YYYY-MM-DDTHH`, the due_at prefix) is `hour`."""

    def flag_overdue(self, problem_id: str, at: str, *, escalation: dict | None = None) -> bool:
        """Flag an unresolved item overdue once; False (nothing written) if flagged, resolved or absent."""


PROBLEMS: Port[ProblemRepository] = Port("problems")
