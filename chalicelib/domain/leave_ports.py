"""What the leave rules (domain/leave.py) need from the outside world, and the named outcomes of a write.

`wiring/leave.py` binds `LEAVE` to `storage/leave_repo.py` (DynamoDB); rule tests override it with
`storage/memory/leave.py`; `tests/contract/test_leave_repository.py` runs one body on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..errors import ConditionFailed
from .ports import Page, Port

if TYPE_CHECKING:
    from ..models.leave import LeaveStatus  # not at run time: wiring.install() loads this module at import


class LeaveExists(ConditionFailed):
    """A leave with this id is stored (this submission's earlier write, or an id reused): nothing written."""

    def __init__(self) -> None:
        super().__init__("a leave with this id exists")


class LeaveChanged(ConditionFailed):
    """The leave's status or revision moved on since it was read: nothing was written."""

    def __init__(self) -> None:
        super().__init__("the leave changed meanwhile")


class LeaveRepository(Protocol):
    def get(self, leave_id: str) -> dict | None:
        """Consistent: a decision reads what it changes."""

    def create(self, record: dict) -> None:
        """Raises LeaveExists."""

    def replace(self, record: dict, *, expected_revision: int, expected_status: LeaveStatus) -> None:
        """Raises LeaveChanged."""

    def list_manager(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page:
        """A manager's leave, latest first day first; with `status`, full pages of that status only."""

    def list_branch(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page: ...

    def starting_between(self, manager_id: str, first: str, last: str) -> list[dict]:
        """A manager's leave whose first day lies in [first, last] (ISO dates), by first day."""

    def get_staff(self, staff_id: str) -> dict | None:
        """The directory's record of a staff member (a supervisor's scope check)."""


LEAVE: Port[LeaveRepository] = Port("leave")
