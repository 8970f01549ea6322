"""What the complaint rules (domain/complaints.py) need from the outside world, and the named outcomes.

`wiring/complaints.py` binds `COMPLAINTS` to `storage/complaints_repo.py` (DynamoDB); rule tests override it
with `storage/memory/complaints.py`; `tests/contract/test_complaint_repository.py` runs one body on both.
The client's name is sealed through `visit_ports.SEALER` (the one field sealer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..errors import ConditionFailed
from .ports import Escalation, Page, Port

Keep = Callable[[dict], bool]  # a list's filter (a rule: the status asked, overdue now)


class ComplaintExists(ConditionFailed):
    """A complaint with this id is stored (this submission's earlier write, or an id reused)."""

    def __init__(self) -> None:
        super().__init__("a complaint with this id exists")


class ComplaintChanged(ConditionFailed):
    """The complaint's revision moved on since it was read (a change, or its escalation): nothing written."""

    def __init__(self) -> None:
        super().__init__("the complaint changed meanwhile")


class AlreadyEscalated(ConditionFailed):
    """The complaint was resolved or escalated meanwhile: it is not escalated (again)."""

    def __init__(self) -> None:
        super().__init__("the complaint takes no escalation")


class ComplaintRepository(Protocol):
    def create(self, record: dict, escalation: Escalation | None = None) -> None:
        """The complaint (with its escalation when its clock ran out before it was recorded), then a
        best-effort delivery. Raises ComplaintExists."""

    def get(self, complaint_id: str) -> dict | None: ...
    def replace(self, record: dict, *, expected_revision: int) -> None:
        """Raises ComplaintChanged."""

    def list_branch(
        self,
        branch_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page:
        """A branch's complaints, latest received first; with `keep`, full pages of those it accepts."""

    def list_owner(
        self,
        owner_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page: ...

    def owner_month(self, owner_id: str, month: str) -> list[dict]:
        """An owner's complaints received in a month (the scorecard's counts)."""

    def due_in_hour(self, hour: str) -> list[dict]:
        """Unresolved, unescalated complaints whose clock runs out in `hour`."""

    def escalate(self, complaint_id: str, at: str, escalation: Escalation) -> None:
        """The escalated flag (once, while unresolved; a new revision) with its outbox entry, then a
        best-effort delivery. Raises AlreadyEscalated."""

    # what the complaint rules read of other areas
    def get_task(self, task_id: str) -> dict | None: ...
    def get_account(self, account_id: str) -> dict | None: ...
    def get_penalty(self, penalty_id: str) -> dict | None: ...
    def get_staff(self, staff_id: str) -> dict | None: ...
    def branch_managers(self, branch_id: str) -> list[dict]:
        """The branch's client managers in the directory."""


COMPLAINTS: Port[ComplaintRepository] = Port("complaints")
