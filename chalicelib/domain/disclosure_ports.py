"""The disclosure audit's repository (PIPL): every reveal attempt recorded, granted ones counted against
the actor's daily budget in the same write (domain/disclosure.py holds the reveal policy)."""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import TooManyRequests
from .outbox_ports import RecordPage
from .ports import Port


class RevealBudgetReached(TooManyRequests):
    """The actor's granted reveals of the day already reached the budget: nothing was written."""

    code = "reveal_budget_exhausted"

    def __init__(self, actor_id: str, budget: int) -> None:
        super().__init__(f"the daily budget of {budget} reveals is used up")
        self.actor_id, self.budget = actor_id, budget


class DisclosureAuditRepository(Protocol):
    # `who` (the keyword fields): actor_id, actor_role, subject_kind, subject_id, branch_id, purpose, reason,
    # case_ref, fields (shown), requested, and refusal for a refused attempt.
    def record_granted(self, *, budget: int, **who: Any) -> dict:
        """The granted reveal's record, written with the actor's counter of the day; RevealBudgetReached
        (nothing written) when the actor already had `budget` reveals today."""
        ...

    def record_refused(self, **who: Any) -> dict:
        """A refused attempt, audited like a reveal."""
        ...

    def record_refused_over_budget(self, alert_op: dict, **who: Any) -> bool:
        """The refusal; the actor's first one of the day also marks the day alerted and writes `alert_op`
        (its outbox entry) in the same transaction. True if this refusal raised the alert."""
        ...

    def list_reveals(self, month: str, *, limit: int, start_key: dict | None = None) -> RecordPage:
        """The month's audit records (granted and refused), newest first."""
        ...

    def search_reveals(
        self,
        *,
        since: str,
        until: str,
        actor_id: str | None = None,
        subject: tuple[str, str] | None = None,
        limit: int,
        start_key: dict | None = None,
    ) -> RecordPage:
        """Records with `since` <= at <= `until` (compared as strings: "2026-11-01" .. "2026-12-03~" covers
        those days in Shanghai time), newest first, across months; of one actor, one (kind, id) subject,
        both, or everyone. A page holds `limit` records unless the range ends."""
        ...


DISCLOSURES: Port[DisclosureAuditRepository] = Port("disclosures")
