"""What the visit rules (domain/visits.py) need from the outside world, and the named outcomes of a write.

`wiring/visits.py` binds `VISITS` to `storage/visits_repo.py` (DynamoDB), `PHOTOS` to S3 presigning and
`SEALER` to field encryption; rule tests override them with `storage/memory/visits.py`;
`tests/contract/test_visit_repository.py` runs one body on both repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import ConditionFailed, Conflict, Unprocessable
from .ports import Page, Port

MAX_NOTES = 50  # correction notes a log takes (they live in the log's item: one read shows them)


@dataclass(frozen=True)
class Contact:
    """What a counted visit log adds to its client's contact plan (002 第二十条): a contact in `week`, and
    a visit in `month` for an on-site log. Written in the log's own transaction; recording it twice adds
    nothing (weeks and months are sets)."""

    account_id: str
    manager_id: str
    week: str
    month: str | None = None


@dataclass(frozen=True)
class AccountCheck:
    """The account a new log names, checked by the log's write: in `branch_id` and, with `serving`, served
    by that manager (002 第十九条: only the serving manager's contacts count toward the plan)."""

    account_id: str
    branch_id: str
    serving: str | None = None


# --- named outcomes -------------------------------------------------------------------------------
class VisitExists(ConditionFailed):
    """A log with this id is stored (this submission's earlier write, or an id reused): nothing written."""

    def __init__(self) -> None:
        super().__init__("a visit log with this id exists")


class WeekSignedOff(ConditionFailed):
    """The log's week is signed off (002 第三十七条): the unsigned-week check refused the new log."""

    def __init__(self) -> None:
        super().__init__("the week is signed off")


class AccountRefused(ConditionFailed):
    """The account check refused the new log: unknown, another branch's, or not served by the manager."""

    def __init__(self) -> None:
        super().__init__("the account check refused the log")


class VisitChanged(ConditionFailed):
    """The log was amended (or decided) since it was read: nothing was written."""

    def __init__(self) -> None:
        super().__init__("the log changed meanwhile")


class NotesFull(Unprocessable):
    """The log holds MAX_NOTES correction notes already (or is gone): the note was not added."""

    def __init__(self) -> None:
        super().__init__(f"a log takes at most {MAX_NOTES} correction notes")


class WeekAlreadySigned(Conflict):
    """The manager's week has its sign-off: a sign-off is never replaced."""

    def __init__(self, week: str) -> None:
        super().__init__(f"week {week} is already signed off")


# --- ports ---------------------------------------------------------------------------------------
class VisitRepository(Protocol):
    def put_new_visit(
        self,
        record: dict,
        *,
        contact: Contact | None = None,
        unsigned_week: str | None = None,
        account: AccountCheck | None = None,
    ) -> None:
        """The new log (and its contact), checking with no read before it that `unsigned_week` of the
        manager is not signed off and the `account` check. Raises VisitExists, WeekSignedOff (checked
        first) or AccountRefused."""

    def get_visit(self, visit_id: str, *, consistent: bool = False) -> dict | None: ...

    def amend_visit(
        self, visit_id: str, changes: dict, *, amended_at: str, expected_version: int, previous: dict
    ) -> dict:
        """The changed fields set (None removes one) if the log is at `expected_version`, the log as it
        stood kept as a version; the amended log. Raises VisitChanged (a replay of this very amendment
        answers the amended log)."""

    def visit_versions(self, visit_id: str) -> list[dict]:
        """The log's earlier versions, oldest first."""

    def decide_late(self, visit_id: str, status: str, approval: dict, *, contact: Contact | None = None) -> None:
        """A pending late log approved or rejected, once (and an approved one's contact). Raises VisitChanged."""

    def add_note(self, visit_id: str, note: dict) -> None:
        """Appended to the log. Raises NotesFull."""

    def list_manager_visits(self, manager_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page:
        """A manager's logs visited in [start, end] (ISO strings), latest first."""

    def all_manager_visits(self, manager_id: str, start: str, end: str) -> list[dict]:
        """Every log of the manager visited in [start, end], earliest first."""

    def list_branch_visits(self, branch_id: str, start: str, end: str, *, limit: int, start_key=None) -> Page: ...

    def put_signoff(self, record: dict) -> None:
        """Raises WeekAlreadySigned."""

    def get_signoff(self, manager_id: str, week: str) -> dict | None: ...

    # what the visit rules read of other areas
    def get_account(self, account_id: str) -> dict | None: ...
    def get_outlet(self, outlet_id: str) -> dict | None: ...
    def get_staff(self, staff_id: str) -> dict | None:
        """The directory's record (before a write)."""

    def scoped_staff(self, staff_id: str) -> dict | None:
        """The principal cache's copy (a read scope check costs no request)."""


class PhotoStore(Protocol):
    def upload_form(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
        """A presigned POST: {"url", "fields"}, limited to `content_type` and 1..`max_bytes` bytes."""

    def read_url(self, key: str, expires: int) -> str: ...


class FieldSealer(Protocol):
    """Personal data at rest: sealed on write, unsealed only for an audited disclosure."""

    def seal(self, value: str) -> str: ...
    def unseal(self, sealed: str) -> str: ...


VISITS: Port[VisitRepository] = Port("visits")
PHOTOS: Port[PhotoStore] = Port("photos")
SEALER: Port[FieldSealer] = Port("sealer")
