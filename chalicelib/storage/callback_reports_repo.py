"""`CallbackReportRepository` (domain/callback_report_ports.py) on DynamoDB: the task month index, the
accounts' opening index, the year-end figure item and the sample job's year-end snapshot."""

from __future__ import annotations

from datetime import date

from . import callback_accounts
from . import callback_work as work
from . import sample as sample_store


class DynamoCallbackReportRepository:
    def tasks_of_month(self, branch_id: str, month: str) -> list[dict]:
        return work.tasks_of_month(branch_id, month)

    def accounts_opened_between(self, branch_id: str, first: date, last: date) -> dict[str, str]:
        return callback_accounts.accounts_opened_between(branch_id, first, last)

    def get_year_end(self, branch_id: str, year: int) -> dict | None:
        return work.get_year_end(branch_id, year)

    def put_year_end(self, record: dict) -> None:
        work.put_year_end(record)

    def year_end_members(self, year: int, branch_id: str) -> set[str]:
        return sample_store.all_members(year, branch_id)
