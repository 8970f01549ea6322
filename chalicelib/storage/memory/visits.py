"""`VisitRepository`, `PhotoStore` and `FieldSealer` in memory, with the table's semantics: a transaction
all or nothing (the log's id checked first, then its week, then its account), index orders by visit time
then id, None attributes not stored, every read a copy; contacts kept as sets, as the ADD of
storage/contact_plan.py keeps them."""

from __future__ import annotations

from ...domain.visit_ports import (
    MAX_NOTES,
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
from . import _table as t


class MemoryVisitRepository:
    def __init__(self) -> None:
        self.visits: dict[str, dict] = {}
        self.versions: dict[str, dict[int, dict]] = {}
        self.signoffs: dict[tuple[str, str], dict] = {}
        self.contacts: dict[tuple[str, str], dict[str, set[str]]] = {}  # (account, manager) -> weeks, months
        self.accounts: dict[str, dict] = {}
        self.outlets: dict[str, dict] = {}
        self.staff: dict[str, dict] = {}

    # --- seeding (what other areas write)
    def add_staff(self, staff_id: str, branch_id: str, role: str = "client_manager") -> None:
        self.staff[staff_id] = {"staff_id": staff_id, "branch_id": branch_id, "role": role}

    def _contact(self, contact: Contact | None) -> None:
        if contact is None:
            return
        entry = self.contacts.setdefault(
            (contact.account_id, contact.manager_id), {"contact_weeks": set(), "visit_months": set()}
        )
        entry["contact_weeks"].add(contact.week)
        if contact.month:
            entry["visit_months"].add(contact.month)

    def put_new_visit(
        self,
        record: dict,
        *,
        contact: Contact | None = None,
        unsigned_week: str | None = None,
        account: AccountCheck | None = None,
    ) -> None:
        if record["visit_id"] in self.visits:
            raise VisitExists()
        if unsigned_week is not None and (record["manager_id"], unsigned_week) in self.signoffs:
            raise WeekSignedOff()
        if account is not None:
            found = self.accounts.get(account.account_id)
            if (
                found is None
                or found.get("branch_id") != account.branch_id
                or (account.serving and found.get("serving_manager_id") != account.serving)
            ):
                raise AccountRefused()
        self.visits[record["visit_id"]] = t.stored(record)
        self._contact(contact)

    def get_visit(self, visit_id: str, *, consistent: bool = False) -> dict | None:
        return t.read(self.visits.get(visit_id))

    def amend_visit(
        self, visit_id: str, changes: dict, *, amended_at: str, expected_version: int, previous: dict
    ) -> dict:
        current = self.visits.get(visit_id)
        if current is None or int(current.get("version", 0)) != expected_version:
            if current and current.get("amended_at") == amended_at and int(current["version"]) == expected_version + 1:
                return t.read(current)  # this very amendment, its answer lost
            raise VisitChanged()
        if expected_version in self.versions.get(visit_id, {}):
            raise VisitChanged()
        self.versions.setdefault(visit_id, {})[expected_version] = t.stored({**previous, "superseded_at": amended_at})
        for field, value in changes.items():
            if value is None:
                current.pop(field, None)
            else:
                current[field] = t.stored(value)
        current["amended_at"] = amended_at
        current["version"] = t.stored(expected_version + 1)
        return t.read(current)

    def visit_versions(self, visit_id: str) -> list[dict]:
        return [t.read(v) for _, v in sorted(self.versions.get(visit_id, {}).items())]

    def decide_late(self, visit_id: str, status: str, approval: dict, *, contact: Contact | None = None) -> None:
        current = self.visits.get(visit_id)
        if current is None or current.get("status") != "pending_approval":
            raise VisitChanged()
        current.update(status=status, approval=t.stored(approval))
        self._contact(contact)

    def add_note(self, visit_id: str, note: dict) -> None:
        current = self.visits.get(visit_id)
        if current is None or len(current.get("notes", [])) >= MAX_NOTES:
            raise NotesFull()
        current.setdefault("notes", []).append(t.stored(note))

    def _rows(self, field: str, value: str, start: str, end: str) -> list[tuple[str, dict]]:
        rows = [(f"{v['visited_at']}#{v['visit_id']}", v) for v in self.visits.values() if v[field] == value]
        return [r for r in rows if start <= r[0] <= end]

    def _page(self, rows: list[tuple[str, dict]], limit: int, start_key) -> Page:
        items, last = t.page(rows, limit, start_key, newest_first=True)
        return Page([t.read(i) for i in items], last)

    def list_manager_visits(self, manager_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page:
        return self._page(self._rows("manager_id", manager_id, start, end), limit, start_key)

    def all_manager_visits(self, manager_id: str, start: str, end: str) -> list[dict]:
        return [t.read(v) for _, v in sorted(self._rows("manager_id", manager_id, start, end), key=lambda r: r[0])]

    def list_branch_visits(self, branch_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page:
        return self._page(self._rows("branch_id", branch_id, start, end), limit, start_key)

    def put_signoff(self, record: dict) -> None:
        key = (record["manager_id"], record["week"])
        if key in self.signoffs:
            raise WeekAlreadySigned(record["week"])
        self.signoffs[key] = t.stored(record)

    def get_signoff(self, manager_id: str, week: str) -> dict | None:
        return t.read(self.signoffs.get((manager_id, week)))

    def get_account(self, account_id: str) -> dict | None:
        return t.read(self.accounts.get(account_id))

    def get_outlet(self, outlet_id: str) -> dict | None:
        return t.read(self.outlets.get(outlet_id))

    def get_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))

    def scoped_staff(self, staff_id: str) -> dict | None:
        return t.read(self.staff.get(staff_id))


class MemoryPhotoStore:
    def upload_form(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
        return {"url": "memory://photos", "fields": {"key": key, "Content-Type": content_type}}

    def read_url(self, key: str, expires: int) -> str:
        return f"memory://photos/{key}?expires={expires}"


class MemorySealer:
    """Reversible and visibly not the clear value (a test can tell sealed from shown)."""

    def seal(self, value: str) -> str:
        return "sealed:" + value[::-1]

    def unseal(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")[::-1]
