"""What the callback reports (domain/callback_reports.py) read and write: a branch's tasks of a month, the
feed's account openings, the year-end client figure and the year-end snapshot's members (the sample's
denominator, kept by the sample job: read here, never written).

`wiring/callback_reports.py` binds `CALLBACK_REPORTS` to `storage/callback_reports_repo.py`; rule tests use
`storage/memory/callback_reports.py`; `tests/contract/test_callback_report_repository.py` runs on both.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from .ports import Port


class CallbackReportRepository(Protocol):
    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]:
        """Every task of the branch selected in `month` (YYYY-MM), any status."""

    def accounts_opened_between(self, branch_id: str, first: date, last: date) -> dict[str, str]:
        """Accounts of the branch the feed says opened in [first, last]: account id -> opened_on."""

    def get_year_end(self, branch_id: str, year: int) -> dict | None: ...

    def put_year_end(self, record: dict) -> None:
        """The branch's year-end client figure (`branch_id`, `year`, `clients`, `source`); the last put wins."""

    def year_end_members(self, year: int, branch_id: str) -> set[str]:
        """The account ids of the branch's year-end snapshot (empty before the sample job took one)."""


CALLBACK_REPORTS: Port[CallbackReportRepository] = Port("callback_reports")
