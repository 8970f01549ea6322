"""What the penalty rules need from the outside world, and the named outcomes a write answers with.

The rules (domain/penalties/ and domain/penalty_rules.py) call `PENALTIES().method(...)`; `wiring/penalties.py`
binds the port to `storage/penalties_repo.py` (DynamoDB), a rule test overrides it with
`storage/memory/penalties.py`; `tests/contract/test_penalty_repository.py` runs one body on both.

Which item of a transaction guarded which rule is the adapter's business: it answers with the exceptions
below, never with a transaction index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ..errors import ConditionFailed, Conflict
from .ports import Page, Port


@dataclass(frozen=True)
class RuleScope:
    """A catalogue scope's stored versions (oldest first) and its head revision (None: no version stored)."""

    rev: int | None
    versions: list[dict] = field(default_factory=list)


# --- named outcomes -------------------------------------------------------------------------------
class EntryRefused(ConditionFailed):
    """`enter` wrote nothing; what refused it: the penalty exists (`exists`), the manager is not a client
    manager of the branch (`manager`), the ledger or a catalogue revision moved on (`stale`), or these
    flags are raised already (`flags`)."""

    def __init__(self, *, exists: bool = False, manager: bool = False, stale: bool = False, flags=()):
        super().__init__("the penalty's transaction was refused")
        self.exists, self.manager, self.stale, self.flags = exists, manager, stale, list(flags)


class PenaltyChanged(ConditionFailed):
    """The penalty's status or revision moved on since it was read: nothing was written (two concurrent
    changes cannot both win)."""

    def __init__(self) -> None:
        super().__init__("the penalty changed meanwhile")


class RuleVersionExists(Conflict):
    """A catalogue version effective that day exists in the scope: a version is never overwritten."""

    def __init__(self, scope: str, effective_from: str) -> None:
        super().__init__(f"a {scope} version effective {effective_from} already exists")


# --- the repository -------------------------------------------------------------------------------
class PenaltyRepository(Protocol):
    # the catalogue
    def rule_scope(self, scope: str) -> RuleScope: ...
    def forget_rule_scopes(self) -> None: ...
    def put_rule_version(self, record: dict) -> None:
        """Raises RuleVersionExists."""

    def branch_exists(self, branch_id: str) -> bool: ...

    # penalties
    def enter(
        self,
        record: dict,
        audit: dict,
        *,
        branch_id: str,
        ledger: dict,
        ledger_version: int | None,
        catalogue_revisions: dict[str, int | None],
        flags: list[dict],
    ) -> None:
        """The penalty, its audit entry, the manager's month ledger (on the version read), the flags it
        raises, a check the manager is a client manager of `branch_id` and that each catalogue scope is
        at its revision: all or nothing. Raises EntryRefused."""

    def replace(
        self,
        record: dict,
        *,
        expected_status: str,
        expected_revision: int,
        audit: dict,
        reversal: dict | None = None,
        drop_from_ledger: bool = False,
        overdue_flag: dict | None = None,
    ) -> None:
        """The changed penalty with its audit entry (and reversal; its removal from its month's ledger; the
        overdue flag as an outbox entry), only on the status and revision read. Raises PenaltyChanged."""

    def get(self, penalty_id: str) -> dict | None: ...
    def get_with_history(self, penalty_id: str) -> tuple[dict | None, list[dict], dict | None]: ...
    def list_for_manager(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page: ...
    def list_for_branch(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page: ...
    def manager_month(self, manager_id: str, month: str) -> list[dict]: ...
    def branch_month(self, branch_id: str, month: str) -> list[dict]:
        """The branch's penalties of a breach month (the scorecards' rollup)."""

    def due_on(self, day: date) -> list[dict]: ...
    def get_ledger(self, manager_id: str, month: str) -> dict | None: ...
    def get_collision(self, collision_id: str) -> dict | None: ...

    # flags
    def put_flag(self, record: dict) -> bool:
        """False if this flag (deterministic id) was raised already."""

    def list_flags(
        self, *, branch_id: str | None = None, staff_id: str | None = None, limit: int, start_key=None
    ) -> Page: ...

    def staff_flags_since(self, staff_id: str, since: str) -> list[dict]:
        """A staff member's flags raised on or after `since` (an ISO date or month)."""

    def branch_flags_since(self, branch_id: str, since: str) -> list[dict]: ...

    # the staff directory, as the rules read it
    def get_staff(self, staff_id: str) -> dict | None:
        """The directory's record (consistent: a check before a write)."""

    def scoped_staff(self, staff_id: str) -> dict | None:
        """The principal cache's copy (a read scope check)."""

    def branch_managers(self, branch_id: str) -> list[dict]:
        """The branch's client managers in the directory."""


PENALTIES: Port[PenaltyRepository] = Port("penalties")
