"""What the travel rules (domain/travel/) need from the outside world, and the named outcomes of a write.

`wiring/travel.py` binds `TRAVEL` to `storage/travel_repo.py` (DynamoDB); rule tests override it with
`storage/memory/travel.py`; `tests/contract/test_travel_repository.py` runs one body on both.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import ConditionFailed
from .ports import Escalation, Page, Port


# --- named outcomes -------------------------------------------------------------------------------
class PeriodExists(ConditionFailed):
    """A travel period with this id is stored (this submission's earlier write, or an id reused)."""

    def __init__(self) -> None:
        super().__init__("a travel period with this id exists")


class TravelDayTaken(ConditionFailed):
    """Another approved period of the manager covers one of the days (a cancelled day may be covered again)."""

    def __init__(self) -> None:
        super().__init__("another approved travel period covers one of these days")


class PeriodChanged(ConditionFailed):
    """The period's revision moved on since it was read (or one of its days is no longer its own)."""

    def __init__(self) -> None:
        super().__init__("the travel period changed meanwhile")


class ReportExists(ConditionFailed):
    """The day's report is filed already (once per manager and day)."""

    def __init__(self) -> None:
        super().__init__("the day's report exists")


class DayNotOpen(ConditionFailed):
    """The day is not a travel day of that period open for its report: cancelled, another period's, or
    reported already."""

    def __init__(self) -> None:
        super().__init__("the travel day takes no report")


class ProposalRefused(ConditionFailed):
    """The day was reported on time, cancelled or proposed meanwhile: no proposal was written."""

    def __init__(self) -> None:
        super().__init__("the day takes no proposal")


class ProposalChanged(ConditionFailed):
    """The proposal was decided since it was read: nothing was written."""

    def __init__(self) -> None:
        super().__init__("the proposal was decided meanwhile")


# --- the repository -------------------------------------------------------------------------------
class TravelRepository(Protocol):
    # periods and their days
    def create_period(self, record: dict, days: list[dict]) -> None:
        """A new period with its travel days (an approved one's), all or nothing. Raises PeriodExists
        (checked first) or TravelDayTaken."""

    def replace_period(
        self, record: dict, *, expected_revision: int, new_days: list[dict], cancelled_days: list[str]
    ) -> None:
        """The period's next revision with the days its approval adds, or the days (ISO dates) a
        cancellation frees. Raises PeriodChanged or TravelDayTaken."""

    def get_period(self, travel_id: str) -> dict | None: ...
    def list_manager_periods(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page: ...
    def list_branch_periods(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page: ...
    def get_day(self, manager_id: str, day: str) -> dict | None: ...
    def days_due_in_hour(self, hour: str) -> list[dict]:
        """The travel days whose report falls due in `hour` and that have neither an on-time report nor a
        proposal yet (a cancelled day leaves the hour)."""

    # reports
    def file_report(self, report: dict) -> None:
        """The report and its day's mark; an on-time report takes the day out of its due hour. Raises
        ReportExists or DayNotOpen."""

    def get_report(self, manager_id: str, day: str) -> dict | None: ...
    def list_manager_reports(self, manager_id: str, month: str | None, *, limit: int, start_key=None) -> Page: ...
    def list_branch_reports(self, branch_id: str, month: str | None, *, limit: int, start_key=None) -> Page: ...

    # proposals
    def propose(self, record: dict, escalation: Escalation) -> None:
        """The proposal, its day's mark and its escalation to the supervisor, all or nothing, then a best-
        effort delivery. Raises ProposalRefused."""

    def get_proposal(self, proposal_id: str) -> dict | None: ...
    def replace_proposal(self, record: dict, *, expected_status: str) -> None:
        """Raises ProposalChanged."""

    def list_manager_proposals(
        self, manager_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page: ...
    def list_branch_proposals(
        self, branch_id: str, month: str | None, *, limit: int, start_key=None, status: str | None = None
    ) -> Page: ...

    def get_staff(self, staff_id: str) -> dict | None:
        """The directory's record of a staff member."""


TRAVEL: Port[TravelRepository] = Port("travel")
