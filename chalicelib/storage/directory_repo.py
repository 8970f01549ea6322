"""The DynamoDB implementation of `domain.directory_ports.DirectoryRepository` (over storage/directory.py).
Which item of a transaction refused is read here only: the member's item is always the first."""

from __future__ import annotations

from ..domain.directory_ports import (
    BranchAlreadyClosed,
    BranchExists,
    Escalation,
    OutletExists,
    OutletMissing,
    Page,
    StaffChanged,
    StaffExists,
    StaffWrite,
)
from ..errors import ConditionFailed
from . import base
from . import directory as store


def page(found: base.Page) -> Page:
    return Page([base.strip_keys(i) for i in found.items], found.last_key)


def staff_ops(write: StaffWrite) -> list[dict]:
    """The member's item (first) and its change record, as transaction items."""
    if write.current is None:
        ops = [store.put_staff_op(write.after)]
    else:
        ops = [store.update_staff_op(write.current, write.changes or {})]
    return ops + ([store.staff_change_op(write.change)] if write.change else [])


def staff_refused(write: StaffWrite) -> ConditionFailed:
    staff_id = write.after["staff_id"]
    return StaffExists(staff_id) if write.current is None else StaffChanged(staff_id)


def _handover_op(handover: Escalation) -> dict:
    from ..domain import outbox
    from ..domain.outbox_handlers import STAFF_HANDOVER

    return outbox.record_op(STAFF_HANDOVER, handover.subject, handover.payload)


class DynamoDirectoryRepository:
    def get_staff(self, staff_id: str) -> dict | None:
        return store.get_staff(staff_id)

    def write_staff(self, write: StaffWrite, *, handover: Escalation | None = None) -> None:
        ops = staff_ops(write) + ([_handover_op(handover)] if handover else [])
        try:
            store.write(ops)
        except base.TransactionCancelled as err:
            if err.failed(0):
                raise staff_refused(write) from None
            raise  # a change record or outbox entry id taken: not a rule's outcome

    def list_branch_staff(self, branch_id: str, role: str | None, *, limit: int, start_key=None) -> Page:
        return page(store.list_branch_staff(branch_id, role, limit=limit, start_key=start_key))

    def all_branch_staff(self, branch_id: str) -> list[dict]:
        return store.all_branch_staff(branch_id)

    def list_all_staff(self, *, limit: int, start_key=None) -> Page:
        return page(store.list_all_staff(limit=limit, start_key=start_key))

    def get_outlet(self, outlet_id: str) -> dict | None:
        return store.get_outlet(outlet_id)

    def read_outlet(self, outlet_id: str) -> dict | None:
        return store.read_outlet(outlet_id)

    def put_outlet(self, record: dict, *, new: bool) -> None:
        try:
            store.put_outlet(record, new=new)
        except ConditionFailed:
            raise (OutletExists if new else OutletMissing)(record["outlet_id"]) from None

    def list_outlets(self, branch_id: str | None, *, limit: int, start_key=None) -> Page:
        return page(store.list_outlets(branch_id, limit=limit, start_key=start_key))

    def get_branch(self, branch_id: str) -> dict | None:
        return store.get_branch(branch_id)

    def put_new_branch(self, record: dict) -> None:
        try:
            store.put_new_branch(record)
        except ConditionFailed:
            raise BranchExists(record["branch_id"]) from None

    def list_branches(self) -> list[dict]:
        return store.list_branches()

    def close_branch(self, branch_id: str, at: str, by: str) -> dict:
        try:
            return store.close_branch(branch_id, at, by)
        except ConditionFailed:
            raise BranchAlreadyClosed(branch_id) from None
