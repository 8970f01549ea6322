"""The DynamoDB implementation of `domain.complaint_ports.ComplaintRepository` (over storage/complaints.py)."""

from __future__ import annotations

from ..domain.complaint_ports import AlreadyEscalated, ComplaintChanged, ComplaintExists, Escalation, Keep, Page
from ..errors import ConditionFailed
from . import accounts, base, callback_work, directory, penalties
from . import complaints as store


def _page(page: base.Page) -> Page:
    return Page(page.items, page.last_key)


def _entry(escalation: Escalation) -> dict:
    from ..domain import outbox
    from ..domain.outbox_handlers import ESCALATION

    return outbox.record_op(ESCALATION, escalation.subject, escalation.payload)


def _deliver(escalation: Escalation) -> None:
    from ..domain import outbox
    from ..domain.outbox_handlers import ESCALATION

    outbox.deliver_now(ESCALATION, escalation.subject)  # best effort; the outbox sweep delivers the rest


class DynamoComplaintRepository:
    def create(self, record: dict, escalation: Escalation | None = None) -> None:
        try:
            store.write([store.new_op(record), *([_entry(escalation)] if escalation else [])])
        except ConditionFailed:
            raise ComplaintExists() from None
        if escalation:
            _deliver(escalation)

    def get(self, complaint_id: str) -> dict | None:
        return store.get(complaint_id)

    def replace(self, record: dict, *, expected_revision: int) -> None:
        try:
            store.write([store.replace_op(record, expected_revision=expected_revision)])
        except ConditionFailed:
            raise ComplaintChanged() from None

    def list_branch(
        self,
        branch_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page:
        return _page(store.list_branch(branch_id, month, limit=limit, start_key=start_key, keep=keep))

    def list_owner(
        self,
        owner_id: str,
        month: str | None,
        *,
        limit: int,
        start_key=None,
        keep: Keep | None = None,
    ) -> Page:
        return _page(store.list_owner(owner_id, month, limit=limit, start_key=start_key, keep=keep))

    def owner_month(self, owner_id: str, month: str) -> list[dict]:
        return store.owner_month(owner_id, month)

    def due_in_hour(self, hour: str) -> list[dict]:
        return store.due_in_hour(hour)

    def escalate(self, complaint_id: str, at: str, escalation: Escalation) -> None:
        try:
            store.write([store.escalate_op(complaint_id, at), _entry(escalation)])
        except ConditionFailed:
            raise AlreadyEscalated() from None
        _deliver(escalation)

    def get_task(self, task_id: str) -> dict | None:
        return callback_work.get_task(task_id)

    def get_account(self, account_id: str) -> dict | None:
        return accounts.get_account(account_id)

    def get_penalty(self, penalty_id: str) -> dict | None:
        return penalties.get(penalty_id)

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)

    def branch_managers(self, branch_id: str) -> list[dict]:
        return directory.all_branch_staff(branch_id, "client_manager")
