"""The DynamoDB implementation of `domain.leave_ports.LeaveRepository` (over storage/leave.py)."""

from __future__ import annotations

from ..domain.leave_ports import LeaveChanged, LeaveExists, Page
from ..errors import ConditionFailed
from ..models.leave import LeaveStatus
from . import base, directory
from . import leave as store


def _page(page: base.Page) -> Page:
    return Page(page.items, page.last_key)


def _keep(status: LeaveStatus | None):
    return (lambda r: r["status"] == status.value) if status else None


class DynamoLeaveRepository:
    def get(self, leave_id: str) -> dict | None:
        return store.get(leave_id)

    def create(self, record: dict) -> None:
        try:
            store.create(record)
        except ConditionFailed:
            raise LeaveExists() from None

    def replace(self, record: dict, *, expected_revision: int, expected_status: LeaveStatus) -> None:
        try:
            store.replace(
                record, expected_revision=expected_revision, expected_status=LeaveStatus(expected_status).value
            )
        except ConditionFailed:
            raise LeaveChanged() from None

    def list_manager(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page:
        return _page(store.list_manager(manager_id, month, limit=limit, start_key=start_key, keep=_keep(status)))

    def list_branch(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: LeaveStatus | None = None
    ) -> Page:
        return _page(store.list_branch(branch_id, month, limit=limit, start_key=start_key, keep=_keep(status)))

    def starting_between(self, manager_id: str, first: str, last: str) -> list[dict]:
        return store.starting_between(manager_id, first, last)

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)
