"""Typed answers of the report, scorecard and import-summary routes (issue 15 §5: no untyped report).

The figures are computed in `domain/callback_reports.py`, `domain/scorecards.py`, `domain/visits.py`
(activity) and `domain/account_import.py`; these models only fix their shape for integrators, so a
generated client gets a class per report instead of a bare object. Rates and money are strings
(decimals, never floats: "92.50" percent, "120.00" yuan); counts are integers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from ..enum_meanings import describe
from .accounts import EventErrorDetail
from .common import ResponseModel
from .visits import Activity, ActivityQuotas

Percent = str  # a decimal percentage with two places, e.g. "92.50"; null when the base is 0


# --- monthly callback statistics (seed 000 第五篇 第十六条) ---------------------------------------------
class MonthlyTaskFigures(ResponseModel):
    total: int = Field(description="callback tasks of the month (by business date)")
    by_trigger: dict[str, int] = Field(description="tasks per trigger (see Trigger)")
    completed: int
    completion_rate: Percent | None = None
    on_time: int = Field(description="completed by their due time")
    on_time_rate: Percent | None = None
    completed_late: int
    closed_unreached: int
    attempted: int = Field(description="tasks with at least one attempt")
    reached: int
    reach_rate: Percent | None = None
    average_satisfaction: str | None = Field(None, description='mean of the 1-5 scores, two places, e.g. "4.25"')
    overdue_open: int = Field(description="open tasks past their due time")


class MonthlyProblemFigures(ResponseModel):
    total: int
    by_category: dict[str, int]
    by_cause: dict[str, int]
    by_severity: dict[str, int]
    unresolved: int = Field(description="open or in progress")
    overdue: int
    overdue_ids: list[str] = Field(description="problem ids past their SLA, sorted")


class MonthlyReport(ResponseModel):
    month: str = Field(description="YYYY-MM")
    branch_id: str
    generated_at: str
    tasks: MonthlyTaskFigures
    problems: MonthlyProblemFigures


# --- attrition (seed 003 第四章) ------------------------------------------------------------------------
class ReasonCount(ResponseModel):
    count: int
    percent: Percent | None = None


class AttritionReport(ResponseModel):
    month: str
    branch_id: str
    closed_accounts: int
    by_reason: dict[str, ReasonCount] = Field(
        description="closing reason (see CloseReason, or `unknown`) -> count and share; most frequent first"
    )


class YearEndOut(ResponseModel):
    """A branch's year-end client count as set (the denominator of the 10% existing-client coverage)."""

    branch_id: str
    year: int
    clients: int
    set_by: str
    set_at: str


# --- scorecards (DOMAIN 3) -------------------------------------------------------------------------------
class RulePoints(ResponseModel):
    penalties: int
    occurrences: int
    points: int


class HrRecommendation(ResponseModel):
    penalty_id: str
    recommendation: str


class ScorecardFlag(ResponseModel):
    flag_id: str
    kind: str
    recommendation: str | None = None
    reason: str


class ScorecardVisits(ResponseModel):
    quotas: ActivityQuotas
    activity: Activity


class ProspectCounts(ResponseModel):
    registered: int
    converted: int


class ComplaintCounts(ResponseModel):
    received: int
    resolved: int
    resolved_in_time: int
    escalated: int
    open: int


class ContactPlanShare(ResponseModel):
    weeks: list[str] = Field(description="ISO weeks counted in the month (their Thursday in the month, begun)")
    phone_required: int
    phone_met: int
    phone_share: float | None = Field(None, description="phone_met / phone_required, 4 places; null when 0 required")
    visit_required: int
    visit_met: int
    visit_share: float | None = Field(None, description="visit_met / visit_required, 4 places; null when 0 required")


class Scorecard(ResponseModel):
    manager_id: str
    manager_name: str
    branch_id: str
    month: str
    starting_score: int
    points_deducted: int
    score: int
    points_by_rule: dict[str, RulePoints] = Field(description="rule code -> penalties, occurrences, points")
    yuan_owed: Decimal = Field(description="yuan, two places, a string")
    yuan_paid: Decimal
    penalties_pending_payroll: int
    open_appeals: int
    voided_or_overturned: int
    hr_recommendations: list[HrRecommendation]
    flags: list[ScorecardFlag]
    visits: ScorecardVisits | None = None
    prospects: ProspectCounts
    complaints: ComplaintCounts
    contact_plan: ContactPlanShare


class RollupTotals(ResponseModel):
    managers: int
    points_deducted: int
    yuan_owed: Decimal
    yuan_paid: Decimal
    open_appeals: int
    flags: int


class ScorecardRollup(ResponseModel):
    branch_id: str
    month: str
    totals: RollupTotals
    scorecards: list[Scorecard] = Field(description="one per client manager of the branch, by manager_id")


# --- the core system's CSV import summary ----------------------------------------------------------------
class ImportRowError(ResponseModel):
    row: int | None = None
    event_id: str | None = None
    reason: str | None = None
    details: list[EventErrorDetail] = []


class ImportSummary(ResponseModel):
    source: str = Field(description="bucket/key/etag")
    bucket: str | None = None
    key: str | None = None
    etag: str | None = None
    version_id: str | None = None
    encoding: str | None = Field(None, description="utf-8, utf-8-sig or gb18030, decided per file")
    status: str = Field(description=describe("import_status"))
    started_at: str | None = None
    completed_at: str | None = None
    committed_row: int | None = Field(None, description="the last CSV row applied (the resume cursor)")
    rows: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    reason: str | None = None
    stopped: str | None = Field(None, description="why an incomplete import paused: deadline | transient_errors")
    resend_rows: list[int] = []
    errors: list[ImportRowError] = []
    errors_truncated: int = 0


# --- conversions (prospects.py) -----------------------------------------------------------
class MultiClaimed(ResponseModel):
    account_id: str
    prospect_id: str
    owner_id: str | None = None
    claimants: list[str]
    opened_on: date


class ConversionReport(ResponseModel):
    branch_id: str
    month: str
    total: int
    by_manager: dict[str, int]
    by_outlet: dict[str, int]
    unowned: int
    multi_claimed: list[MultiClaimed] = Field(
        description="accounts more than one manager laid claim to, for " "investigation (000 第十三条)"
    )
