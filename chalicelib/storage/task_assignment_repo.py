"""The DynamoDB implementation of `domain.task_assignment_ports.TaskAssignmentRepository`.

One transaction: the task put back (tasks.task_item re-derives the queue index, so the task leaves the
branch queue or the old agent's list in the same write) guarded by the status, revision and holder read;
`ADD open_tasks` on both agents' load items (keys.agent_load); the history entry, new by key (a retry of
the same move from the same revision cannot add a second one).
"""

from __future__ import annotations

from decimal import Decimal

from ..domain.task_assignment_ports import StaffMember, TaskChangedMeanwhile
from ..errors import ConditionFailed
from ..models.task_assignment import AssignmentEntry
from ..models.tasks import TaskRecord
from . import base, keys
from .tasks import task_item


def _plain(value):
    # The table gives numbers as Decimal; a task's own counters are integers (revision, attempts).
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def task_record(item: dict) -> TaskRecord:
    return TaskRecord.model_validate({k: _plain(v) for k, v in item.items()})


def task_data(record: TaskRecord) -> dict:
    return record.model_dump(mode="json", exclude_none=True)


class DynamoTaskAssignmentRepository:
    def get_task(self, task_id: str) -> TaskRecord | None:
        item = base.strip_keys(base.get_item(**keys.callback_task(task_id), consistent=True))
        return task_record(item) if item else None

    def staff(self, staff_id: str) -> StaffMember | None:
        item = base.get_item(**keys.staff(staff_id), consistent=True)
        if not item:
            return None
        return StaffMember(
            staff_id=item["staff_id"],
            role=item.get("role", ""),
            branch_id=item.get("branch_id", ""),
            status=item.get("status", "active"),
            name=item.get("name", ""),
        )

    def assign(self, previous: TaskRecord, updated: TaskRecord, entry: AssignmentEntry) -> None:
        condition = "#s = :s AND (attribute_not_exists(revision) OR revision = :r)"
        values: dict = {":s": previous.status, ":r": int(getattr(previous, "revision", 0) or 0)}
        if previous.assignee_id:
            condition += " AND assignee_id = :a"
            values[":a"] = previous.assignee_id
        else:
            condition += " AND attribute_not_exists(assignee_id)"
        ops = [
            base.tx_put(task_item(task_data(updated)), condition=condition, names={"#s": "status"}, values=values),
            base.tx_update(**keys.agent_load(entry.to_agent_id), expression="ADD open_tasks :d", values={":d": 1}),
        ]
        if entry.from_agent_id:
            # No floor at zero inside the transaction (a failed floor would cancel the move); the nightly
            # reconciliation (issue 14 §4) sets a drifted counter back to what the records say.
            ops.append(
                base.tx_update(
                    **keys.agent_load(entry.from_agent_id), expression="ADD open_tasks :d", values={":d": -1}
                )
            )
        ops.append(
            base.tx_put(
                {**keys.task_assignment(entry.task_id, entry.assignment_id), **entry.model_dump(exclude_none=True)}
            )
        )
        try:
            base.transact(ops)
        except ConditionFailed:
            raise TaskChangedMeanwhile("the task changed meanwhile: read it again") from None

    def history(self, task_id: str) -> list[AssignmentEntry]:
        items = base.query_all(keys.callback_task(task_id)["pk"], sk_begins="ASSIGN#", consistent=True)
        return [AssignmentEntry.model_validate(base.strip_keys(i)) for i in items]

    def load(self, agent_id: str) -> int:
        item = base.get_item(**keys.agent_load(agent_id), consistent=True)
        return int(item.get("open_tasks", 0)) if item else 0
