"""The DynamoDB implementation of `domain.directory_ports.PrivilegeRepository` (over storage/privilege.py
and the change records of storage/directory.py). A decision's transaction: the request first, then the
member's write."""

from __future__ import annotations

from ..domain.directory_ports import Page, RequestDecided, StaffWrite
from . import base
from . import directory as directory_store
from . import privilege as store
from .directory_repo import page, staff_ops, staff_refused


class DynamoPrivilegeRepository:
    def put_request(self, record: dict) -> None:
        store.put_request(record)

    def get_request(self, request_id: str) -> dict | None:
        return store.get_request(request_id)

    def list_requests(self, status: str, *, limit: int, start_key=None) -> Page:
        return page(store.list_requests(status, limit=limit, start_key=start_key))

    def decide(self, record: dict, decision: dict, staff: StaffWrite | None = None) -> None:
        ops = [store.decide_op(record, decision)] + (staff_ops(staff) if staff else [])
        try:
            directory_store.write(ops)
        except base.TransactionCancelled as err:
            if err.failed(0) or staff is None:
                raise RequestDecided(record["request_id"]) from None
            raise staff_refused(staff) from None

    def list_changes(self, month: str, *, limit: int, start_key=None) -> Page:
        return page(directory_store.list_staff_changes(month, limit=limit, start_key=start_key))
