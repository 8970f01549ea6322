"""The DynamoDB (and S3, KMS-keyed sealing) implementations of `domain.visit_ports`, over storage/visits.py,
storage/photos.py and storage/pii.py. Which check of a transaction refused is read here only."""

from __future__ import annotations

from ..domain.visit_ports import (
    AccountCheck,
    AccountRefused,
    Contact,
    NotesFull,
    Page,
    VisitChanged,
    VisitExists,
    WeekAlreadySigned,
    WeekSignedOff,
)
from ..errors import ConditionFailed
from . import accounts, base, directory, photos, pii
from . import contact_plan as contact_store
from . import visits as store


def _page(page: base.Page) -> Page:
    return Page(page.items, page.last_key)


def _contact_ops(contact: Contact | None) -> list[dict]:
    if contact is None:
        return []
    return [contact_store.contact_op(contact.account_id, contact.manager_id, contact.week, contact.month)]


class DynamoVisitRepository:
    def put_new_visit(
        self,
        record: dict,
        *,
        contact: Contact | None = None,
        unsigned_week: str | None = None,
        account: AccountCheck | None = None,
    ) -> None:
        try:
            store.put_new_visit(
                record,
                also=_contact_ops(contact),
                unsigned_week=unsigned_week,
                account=(account.account_id, account.branch_id, account.serving) if account else None,
            )
        except store.WeekSignedOff:
            raise WeekSignedOff() from None
        except store.AccountRefused:
            raise AccountRefused() from None
        except ConditionFailed:
            raise VisitExists() from None  # storage.visits: a plain refusal is the log's id

    def get_visit(self, visit_id: str, *, consistent: bool = False) -> dict | None:
        return store.get_visit(visit_id, consistent=consistent)

    def amend_visit(
        self, visit_id: str, changes: dict, *, amended_at: str, expected_version: int, previous: dict
    ) -> dict:
        try:
            return store.amend_visit(
                visit_id, changes, amended_at=amended_at, expected_version=expected_version, previous=previous
            )
        except ConditionFailed:
            raise VisitChanged() from None

    def visit_versions(self, visit_id: str) -> list[dict]:
        return store.visit_versions(visit_id)

    def decide_late(self, visit_id: str, status: str, approval: dict, *, contact: Contact | None = None) -> None:
        try:
            store.decide_late(visit_id, status, approval, also=_contact_ops(contact))
        except ConditionFailed:
            raise VisitChanged() from None

    def add_note(self, visit_id: str, note: dict) -> None:
        try:
            store.add_note(visit_id, note)
        except ConditionFailed:
            raise NotesFull() from None

    def list_manager_visits(self, manager_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page:
        return _page(store.list_manager_visits(manager_id, start, end, limit=limit, start_key=start_key))

    def all_manager_visits(self, manager_id: str, start: str, end: str) -> list[dict]:
        return store.all_manager_visits(manager_id, start, end)

    def list_branch_visits(self, branch_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page:
        return _page(store.list_branch_visits(branch_id, start, end, limit=limit, start_key=start_key))

    def put_signoff(self, record: dict) -> None:
        try:
            store.put_signoff(record)
        except ConditionFailed:
            raise WeekAlreadySigned(record["week"]) from None

    def get_signoff(self, manager_id: str, week: str) -> dict | None:
        return store.get_signoff(manager_id, week)

    def get_account(self, account_id: str) -> dict | None:
        return accounts.get_account(account_id)

    def get_outlet(self, outlet_id: str) -> dict | None:
        return directory.get_outlet(outlet_id)

    def get_staff(self, staff_id: str) -> dict | None:
        return directory.get_staff(staff_id)

    def scoped_staff(self, staff_id: str) -> dict | None:
        from ..auth import cached_staff

        return cached_staff(staff_id)


class S3PhotoStore:
    def upload_form(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
        return photos.presign_upload(key, content_type, max_bytes, expires)

    def read_url(self, key: str, expires: int) -> str:
        return photos.presign_read(key, expires)


class PiiSealer:
    def seal(self, value: str) -> str:
        return pii.seal(value)

    def unseal(self, sealed: str) -> str:
        return pii.unseal(sealed)  # typed by its overload: a str in, a str out
