"""What a penalty and a flag read as: amounts, settlement, appeal, history (split from penalties.py)."""

from datetime import date
from decimal import Decimal

from pydantic import Field

from ..enum_meanings import describe
from .common import Page, ResponseModel


class RuleVersionRef(ResponseModel):
    """The catalogue version the penalty was computed with (global, and the branch's override if any)."""

    global_effective_from: date
    branch_effective_from: date | None = None


class CollisionLink(ResponseModel):
    """The collision (撞单) a FALSE_CLAIM penalty or flag refers to."""

    collision_id: str
    prospect_id: str | None = None
    recorded_at: str | None = None


class Settlement(ResponseModel):
    method: str = Field(description=describe("settle_method"))
    yuan: Decimal | None = None
    on: date
    by: str
    note: str | None = None


class Voiding(ResponseModel):
    by: str
    at: str
    reason: str


class AppealRecord(ResponseModel):
    reason: str
    by: str
    at: str
    outcome: str | None = Field(None, description=describe("appeal_outcome") + "; null while undecided")
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None


class PenaltyAudit(ResponseModel):
    """One change of a penalty: who, when, why, and the fields it moved."""

    at: str
    revision: int
    action: str = Field(description="entered | settled | voided | appealed | appeal_upheld | appeal_overturned")
    actor_id: str
    actor_role: str
    reason: str | None = None
    changes: dict[str, Decimal | int | str | None] = {}


class Reversal(ResponseModel):
    """The counter-entry of a voided or overturned penalty (the original is kept)."""

    penalty_id: str
    cause: str
    points: int
    yuan: Decimal | None = None
    reason: str
    by: str
    at: str


class PenaltyOut(ResponseModel):
    penalty_id: str
    manager_id: str
    branch_id: str
    rule_code: str
    rule_kind: str
    rule_version: RuleVersionRef
    breach_date: date
    occurrences: int
    evidence_note: str
    evidence_refs: list[str] = []
    serious: bool = False
    points: int
    yuan: Decimal | None = None
    salary_deduction_yuan: Decimal | None = None
    income_yuan: Decimal | None = None
    amount_status: str
    settlement: str
    hr_recommendations: list[str] = []
    collision: CollisionLink | None = None
    status: str = Field(description=describe("penalty_status"))
    due_on: date | None = None
    overdue: bool = False
    settled: Settlement | None = None
    voided: Voiding | None = None
    appeal: AppealRecord | None = None
    entered_by: str
    entered_at: str
    revision: int


class PenaltyDetailOut(PenaltyOut):
    history: list[PenaltyAudit] = Field([], description="oldest first")
    reversal: Reversal | None = None


class PenaltyPage(Page[PenaltyOut]):
    pass


class FlagOut(ResponseModel):
    flag_id: str
    kind: str
    staff_id: str
    branch_id: str
    month: str | None = None
    recommendation: str | None = None
    reason: str
    penalty_ids: list[str] = []
    collision: CollisionLink | None = None
    notify: list[str] = []
    created_at: str


class FlagPage(Page[FlagOut]):
    pass
