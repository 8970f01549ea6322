"""`TaskAssignmentRepository` in memory, with the table's semantics: the move is all or nothing under the
same guard (status, revision, holder), a history entry is new by key, attributes set to None are not
stored, every read a copy."""

from __future__ import annotations

import copy

from ...domain.task_assignment_ports import StaffMember, TaskChangedMeanwhile
from ...models.task_assignment import AssignmentEntry
from ...models.tasks import TaskRecord


class MemoryTaskAssignmentRepository:
    def __init__(self) -> None:
        self.tasks: dict[str, dict] = {}
        self.staff_members: dict[str, StaffMember] = {}
        self.loads: dict[str, int] = {}
        self.entries: dict[tuple[str, str], dict] = {}

    # --- seeding (what the selection job and the directory write) -----------------------------------
    def put_task(self, record: TaskRecord) -> None:
        self.tasks[record.task_id] = record.model_dump(mode="json", exclude_none=True)

    def put_staff(self, member: StaffMember) -> None:
        self.staff_members[member.staff_id] = member

    # --- the protocol ---------------------------------------------------------------------------------
    def get_task(self, task_id: str) -> TaskRecord | None:
        item = self.tasks.get(task_id)
        return TaskRecord.model_validate(copy.deepcopy(item)) if item else None

    def staff(self, staff_id: str) -> StaffMember | None:
        return self.staff_members.get(staff_id)

    def assign(self, previous: TaskRecord, updated: TaskRecord, entry: AssignmentEntry) -> None:
        stored = self.tasks.get(previous.task_id)
        key = (entry.task_id, entry.assignment_id)
        if (
            stored is None
            or stored.get("status", "open") != previous.status
            or int(stored.get("revision", 0)) != int(getattr(previous, "revision", 0) or 0)
            or stored.get("assignee_id") != previous.assignee_id
            or key in self.entries
        ):
            raise TaskChangedMeanwhile("the task changed meanwhile: read it again")
        self.tasks[previous.task_id] = updated.model_dump(mode="json", exclude_none=True)
        self.loads[entry.to_agent_id] = self.loads.get(entry.to_agent_id, 0) + 1
        if entry.from_agent_id:
            self.loads[entry.from_agent_id] = self.loads.get(entry.from_agent_id, 0) - 1
        self.entries[key] = entry.model_dump(exclude_none=True)

    def history(self, task_id: str) -> list[AssignmentEntry]:
        return [
            AssignmentEntry.model_validate(copy.deepcopy(v))
            for (tid, _), v in sorted(self.entries.items())
            if tid == task_id
        ]

    def load(self, agent_id: str) -> int:
        return self.loads.get(agent_id, 0)
