"""The regulatory coverage report (CSRC 2010), typed for integrators."""

from datetime import date

from pydantic import Field

from .common import RequestModel, ResponseModel


class CoverageAccount(ResponseModel):
    account_id: str
    opened_on: date
    deadline: date  # one month after opening
    days_left: int | None = None  # still open: days to the deadline
    called_back_on: date | None = None  # called back late: the day
    reason: str | None = None  # missed: "no_task" | "not_done_by_deadline"


class NewAccountCoverage(ResponseModel):
    opened_from: date
    opened_to: date
    accounts: int  # opened in the period, from the feed (not from tasks)
    called_back_within_window: int
    percent: str | None = None
    called_back_late: list[CoverageAccount]
    still_open: list[CoverageAccount]
    missed: list[CoverageAccount]


class ExistingClientCoverage(ResponseModel):
    year: int
    called_back: int  # distinct denominator clients reached with the regulator's content
    year_end_clients: int | None = None
    ratio: str
    target: int | None = None
    percent_of_target: str | None = None
    met: bool | None = None
    denominator: str | None = None  # "snapshot" (computed) | "manual" (given) | null (unknown)


class CoverageOut(ResponseModel):
    branch_id: str
    new_accounts: NewAccountCoverage
    existing_clients: ExistingClientCoverage


class YearQuery(RequestModel):
    year: int = Field(ge=2000, le=2100)


class QuarterCount(ResponseModel):
    quarter: str  # "2026Q4"
    callbacks: int  # every callback task of the quarter (mandatory ones included)
    risk_callbacks: int
    sampled: int  # held back by the cap when callbacks >= the cap
    task_ids: list[str]


class CallbackQuarters(ResponseModel):
    account_id: str
    year: int
    cap_per_quarter: int
    quarters: list[QuarterCount]
