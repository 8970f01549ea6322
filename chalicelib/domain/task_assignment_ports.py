"""What task reassignment needs from storage: the task, the agent's directory record, one all-or-nothing
write (task, both load counters, the history entry), and the history read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import Conflict
from .ports import Port

if TYPE_CHECKING:  # annotations only: app.py binds this port at import and loads no model module
    from ..models.task_assignment import AssignmentEntry
    from ..models.tasks import TaskRecord


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    role: str
    branch_id: str
    status: str
    name: str = ""


class TaskChangedMeanwhile(Conflict):
    """The task's status, revision or holder moved between the read and the write: nothing was written."""

    code = "task_changed"


class TaskAssignmentRepository(Protocol):
    def get_task(self, task_id: str) -> TaskRecord | None: ...

    def staff(self, staff_id: str) -> StaffMember | None: ...

    def assign(self, previous: TaskRecord, updated: TaskRecord, entry: AssignmentEntry) -> None:
        """Write `updated` if the task is still as `previous` (status, revision, holder), move one open task
        from the previous holder's load counter (if any) to the new one's, and add `entry` to the history:
        all or nothing. Raises TaskChangedMeanwhile otherwise."""
        ...

    def history(self, task_id: str) -> list[AssignmentEntry]:
        """The task's reassignments, oldest first."""
        ...

    def load(self, agent_id: str) -> int:
        """The agent's open-task counter (0 without one)."""
        ...


TASK_ASSIGNMENT: Port[TaskAssignmentRepository] = Port("task_assignment")
