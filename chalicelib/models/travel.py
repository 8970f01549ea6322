"""Travel 出差: travel periods, the daily travel report and the penalty proposals a missing report raises
(seed 000 第二篇 §1; 004 出差: report by 21:00)."""

from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import BoundedDate, Month, Page, PageQuery, RequestModel, ResponseModel, StatusStep
from .penalty_views import RuleVersionRef

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
OptId = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")

TravelStatus = Literal["requested", "approved", "rejected", "cancelled"]
ProposalStatus = Literal["pending", "confirmed", "dismissed"]


class TravelPeriodIn(RequestModel):
    """A manager requests their own travel (the supervisor approves it); a supervisor names the manager
    and the period is approved at once."""

    manager_id: str | None = OptId  # supervisors: required; managers: themselves only
    start_on: BoundedDate
    end_on: BoundedDate
    destination: str = Field(min_length=1, max_length=100)
    purpose: str = Field(min_length=1, max_length=500)


class TravelDecisionIn(RequestModel):
    decision: Literal["approve", "reject", "cancel"]
    note: str = Field("", max_length=500)  # rejecting or cancelling: the reason, required


class TravelQuery(PageQuery):
    manager_id: str | None = OptId
    branch_id: str | None = OptId  # compliance and admin name the branch
    status: TravelStatus | None = None
    month: Month | None = None  # of the start date


class TravelPeriodOut(ResponseModel):
    travel_id: str
    manager_id: str
    branch_id: str
    start_on: str
    end_on: str
    destination: str
    purpose: str
    status: str
    requested_by: str
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    note: str | None = None
    report_due_hour: int
    history: list[StatusStep] = []


class TravelPeriodPage(Page[TravelPeriodOut]):
    pass


class TravelReportIn(RequestModel):
    """The day's report 出差日报 (000 第二篇 §1: 当天工作情况, 工作重点, 问题未处理部分必须注明, 当天的日期)."""

    day: BoundedDate
    location: str = Field(min_length=1, max_length=200, description="where: city, client or outlet")
    met: str = Field(min_length=1, max_length=500, description="whom: the clients or units met")
    work: str = Field(min_length=1, max_length=2000, description="what was done, the day's key points")
    open_issues: str = Field("", max_length=1000, description="problems not yet handled (必须注明)")


class TravelReportQuery(PageQuery):
    manager_id: str | None = OptId
    branch_id: str | None = OptId
    month: Month | None = None


class TravelReportOut(ResponseModel):
    report_id: str
    manager_id: str
    branch_id: str
    travel_id: str
    day: str
    location: str
    met: str
    work: str
    open_issues: str = ""
    submitted_at: str
    due_at: str
    on_time: bool


class TravelReportPage(Page[TravelReportOut]):
    pass


class ProposalQuery(PageQuery):
    status: ProposalStatus | None = None
    branch_id: str | None = OptId  # compliance and admin name the branch
    month: Month | None = None  # of the breach day


class ConfirmIn(RequestModel):
    # The day's travel subsidy in yuan (the penalty withholds it); without it payroll computes the amount.
    daily_subsidy_yuan: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=500)


class DismissIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class ProposalOut(ResponseModel):
    proposal_id: str
    rule_code: str
    manager_id: str
    branch_id: str
    travel_id: str
    day: str
    due_at: str
    late_report_at: str | None = None
    status: str
    created_at: str
    rule_version: RuleVersionRef | None = None  # the penalty catalogue in force on the day
    penalty_id: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


class ProposalPage(Page[ProposalOut]):
    pass
