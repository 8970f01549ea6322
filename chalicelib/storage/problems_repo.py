"""`ProblemRepository` on DynamoDB: the functions of storage/problems.py behind the port."""

from __future__ import annotations

from collections.abc import Callable

from ..domain.problems_ports import ProblemChanged
from ..errors import ConditionFailed
from . import base, problems
from . import callback_work as task_repo


class DynamoProblemRepository:
    def create(self, record: dict, *, escalation: dict | None = None) -> None:
        problems.create(record, also=[escalation] if escalation else ())

    def get(self, problem_id: str) -> dict | None:
        return problems.get(problem_id)

    def replace(self, record: dict, *, expected_status: str, new_task: dict | None = None) -> None:
        try:
            if new_task:
                task_repo.write(
                    [problems.replace_op(record, expected_status=expected_status), task_repo.new_task_op(new_task)]
                )
            else:
                problems.replace(record, expected_status=expected_status)
        except ConditionFailed:
            raise ProblemChanged() from None

    def list_by_status(self, status: str, *, limit: int, start_key: dict | None = None) -> base.Page:
        return problems.list_by_status(status, limit=limit, start_key=start_key)

    def list_branch_month(
        self,
        branch_id: str,
        month: str,
        *,
        limit: int,
        start_key: dict | None = None,
        keep: Callable[[dict], bool] | None = None,
    ) -> base.Page:
        return problems.list_branch_month(branch_id, month, limit=limit, start_key=start_key, keep=keep)

    def all_branch_month(self, branch_id: str, month: str) -> list[dict]:
        return problems.all_branch_month(branch_id, month)

    def due_in_hour(self, hour: str) -> list[dict]:
        return problems.due_in_hour(hour)

    def flag_overdue(self, problem_id: str, at: str, *, escalation: dict | None = None) -> bool:
        return problems.flag_overdue(problem_id, at, also=[escalation] if escalation else ())
