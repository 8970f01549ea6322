"""Problem items 问题件: found by callbacks or compliance, tracked to verified closure."""

from enum import Enum
from typing import Literal

from pydantic import Field

from ..enum_meanings import describe
from .common import Month, Page, PageQuery, RequestModel, ResponseModel

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class ProblemCategory(str, Enum):
    service_attitude = "service_attitude"
    system_equipment = "system_equipment"
    fees_commission = "fees_commission"
    research_information = "research_information"
    missing_product = "missing_product"
    account_security = "account_security"
    staff_misconduct = "staff_misconduct"  # trading for clients, guaranteed returns...
    # One category per "no" of the regulator's checklist (DOMAIN 4: any "no" is a problem item).
    change_not_recognised = "change_not_recognised"  # account changes the client does not recognise
    trading_on_behalf = "trading_on_behalf"  # 代客操作
    risk_not_disclosed = "risk_not_disclosed"
    discretionary_authority = "discretionary_authority"  # 全权委托
    return_promised = "return_promised"  # 保证收益 (seed 000 第三篇)
    signed_for_client = "signed_for_client"  # 代客签字 (seed 000 第三篇)
    callback_unanswered = "callback_unanswered"  # a risk callback nobody answered
    other = "other"


class Severity(str, Enum):
    critical = "critical"
    normal = "normal"


class ProblemStatus(str, Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    verified = "verified"


UNRESOLVED = {ProblemStatus.open.value, ProblemStatus.in_progress.value}

# The only moves a problem item can make; resolved -> in_progress reopens when verification fails.
TRANSITIONS = {
    "open": {"in_progress", "resolved"},
    "in_progress": {"resolved"},
    "resolved": {"verified", "in_progress"},
    "verified": set(),
}


class FoundProblem(RequestModel):
    """What a problem item says, whether a callback found it or compliance opened it."""

    category: ProblemCategory
    cause: str = Field(min_length=1, max_length=500)
    responsible_department: str = Field(min_length=1, max_length=100)
    severity: Severity = Severity.normal
    description: str = Field("", max_length=2000)


class ProblemIn(FoundProblem):
    """Opened by compliance directly: where it belongs as well."""

    branch_id: str = Id
    account_id: str | None = Field(None, min_length=1, max_length=64)
    task_id: str | None = Field(None, min_length=1, max_length=200)


class TransitionIn(RequestModel):
    to: Literal["in_progress", "resolved", "verified"]
    note: str = Field("", max_length=2000)
    verify_with_client: bool = False  # on resolve: schedule a second callback to verify with the client


class ProblemQuery(PageQuery):
    status: Literal["open", "in_progress", "resolved", "verified"] | None = None
    branch_id: str | None = Field(None, min_length=1, max_length=64)
    month: Month | None = None
    severity: Literal["critical", "normal"] | None = None  # filters the branch-month list
    overdue: bool | None = None


class HistoryEntry(ResponseModel):
    """One step of the item's life: who moved it, when, and to what."""

    at: str
    by: str
    to: str | None = Field(None, description="the status it moved to")
    note: str | None = None


class ProblemOut(ResponseModel):
    problem_id: str
    branch_id: str
    account_id: str | None = None
    task_id: str | None = None
    source: str
    category: str = Field(description=describe("problem_category"))
    cause: str
    responsible_department: str
    severity: str = Field(description=describe("severity"))
    description: str = ""
    status: str = Field(description=describe("problem_status"))
    created_at: str
    created_by: str
    due_at: str
    overdue: bool = False
    overdue_at: str | None = None
    escalated: bool = False
    history: list[HistoryEntry] = Field([], description="oldest first")
    resolution_note: str | None = None
    verification_task_id: str | None = None


class ProblemPage(Page[ProblemOut]):
    pass
