"""Penalties (扣罚): the rule catalogue, entering and settling a penalty, flag and scorecard queries (what a
penalty reads as: penalty_views.py)."""

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .common import BoundedDate, Month, PageQuery, RequestModel, ResponseModel
from .penalty_views import RuleVersionRef

# dismissal, transfer and compensation (an asset's value, settled by finance) are recommendations, not amounts.
RuleKind = Literal[
    "points", "fixed_yuan", "percent_income", "base_salary", "subsidy_withheld", "dismissal", "transfer", "compensation"
]
PenaltyStatus = Literal["open", "under_appeal", "paid_cash", "deducted_salary", "voided", "overturned"]
Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
OptId = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
RuleCode = Field(min_length=1, max_length=40, pattern=r"^[A-Z][A-Z0-9_]*$")
Yuan = Field(None, gt=0, max_digits=12, decimal_places=2)
Reason = Field(min_length=1, max_length=500)


# --- catalogue -------------------------------------------------------------------------
class Rule(RequestModel):
    code: str = RuleCode
    kind: RuleKind
    amount: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=2)
    description_zh: str = Field(min_length=1, max_length=200)
    description_en: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=500)
    recommendations: list[str] = Field(default_factory=list, max_length=5)
    serious_recommendation: Literal["dismissal", "transfer", "refer_to_authorities"] | None = None
    absence_days: Decimal | None = Field(None, gt=0, max_digits=4, decimal_places=1)

    @model_validator(mode="after")
    def _amount_matches_kind(self):
        needs_amount = self.kind not in ("dismissal", "transfer", "compensation")
        if needs_amount and self.amount is None:
            raise ValueError(f"amount is required for kind {self.kind}")
        if not needs_amount and self.amount is not None:
            raise ValueError(f"kind {self.kind} takes no amount")
        if self.kind == "percent_income" and self.amount is not None and self.amount > 100:
            raise ValueError("a percentage of income is at most 100")
        if self.kind == "points" and self.amount is not None and self.amount != self.amount.to_integral_value():
            raise ValueError("points are whole numbers")
        return self


class RuleOverride(RequestModel):
    code: str = RuleCode
    amount: Decimal = Field(gt=0, max_digits=10, decimal_places=2)


class RuleVersionIn(RequestModel):
    """GLOBAL versions carry the whole catalogue; a branch version overrides amounts only."""

    branch_id: str | None = OptId
    effective_from: BoundedDate
    rules: list[Rule] | None = Field(None, min_length=1, max_length=200)
    overrides: list[RuleOverride] | None = Field(None, min_length=1, max_length=200)
    note: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _one_shape(self):
        if self.branch_id is None and (self.rules is None or self.overrides is not None):
            raise ValueError("a GLOBAL version takes rules (the whole catalogue) and no overrides")
        if self.branch_id is not None and (self.overrides is None or self.rules is not None):
            raise ValueError("a branch version takes overrides (code and amount) and no rules")
        codes = [r.code for r in (self.rules or self.overrides or [])]
        if len(codes) != len(set(codes)):
            raise ValueError("each rule code may appear once")
        return self


class RulesQuery(RequestModel):
    on: BoundedDate | None = None
    branch_id: str | None = OptId


class RuleOut(ResponseModel):
    code: str
    kind: str
    amount: Decimal | None = None
    description_zh: str
    description_en: str
    notes: str = ""
    recommendations: list[str] = []
    serious_recommendation: str | None = None
    absence_days: Decimal | None = None
    overridden_by_branch: bool = False


class CatalogueOut(ResponseModel):
    on: date
    branch_id: str | None = None
    global_effective_from: date
    branch_effective_from: date | None = None
    rules: list[RuleOut]


class RuleVersionOut(ResponseModel):
    scope: str
    effective_from: date
    rules: list[RuleOut] | None = None
    overrides: list[RuleOverride] | None = None
    note: str = ""
    created_by: str
    created_at: str


# --- penalties ---------------------------------------------------------------------------
class PenaltyIn(RequestModel):
    manager_id: str = Id
    rule_code: str = RuleCode
    breach_date: BoundedDate
    occurrences: int = Field(1, ge=1, le=31)
    evidence_note: str = Field(min_length=1, max_length=1000)
    evidence_refs: list[str] = Field(default_factory=list, max_length=10)
    income_yuan: Decimal | None = Yuan
    serious: bool = False
    collision_id: str | None = OptId

    @field_validator("evidence_refs")
    @classmethod
    def _refs(cls, refs: list[str]) -> list[str]:
        for ref in refs:
            if not 1 <= len(ref) <= 200:
                raise ValueError("each evidence reference is 1-200 characters")
        return refs


class PenaltyPreviewIn(RequestModel):
    """An entry's amount-bearing fields: what POST /v1/penalties would compute, before evidence is written."""

    manager_id: str = Id
    rule_code: str = RuleCode
    breach_date: BoundedDate
    occurrences: int = Field(1, ge=1, le=31)
    income_yuan: Decimal | None = Yuan
    serious: bool = False


class PenaltyPreviewOut(ResponseModel):
    manager_id: str
    rule_code: str
    rule_kind: str
    rule_amount: str | None = None
    rule_version: RuleVersionRef
    occurrences: int
    serious: bool = False
    points: int
    yuan: Decimal | None = None
    salary_deduction_yuan: Decimal | None = None
    amount_status: str
    settlement: str
    hr_recommendations: list[str] = []


class SettleIn(RequestModel):
    method: Literal["cash", "salary"]
    amount_yuan: Decimal | None = Yuan  # refused: amounts are computed (kept so old clients get a clear 400)
    # Payroll's after-tax income (or base salary / daily subsidy) for a penalty entered without it; a
    # second person gives it, and the amount is computed from it and the rule.
    income_yuan: Decimal | None = Yuan
    note: str = Field("", max_length=500)


class VoidIn(RequestModel):
    reason: str = Reason


class AppealIn(RequestModel):
    reason: str = Reason


class AppealDecisionIn(RequestModel):
    outcome: Literal["upheld", "overturned"]
    reason: str = Reason


class PenaltyQuery(PageQuery):
    manager_id: str | None = OptId
    branch_id: str | None = OptId
    month: Month | None = None


# --- flag and scorecard queries -----------------------------------------------------------
class FlagQuery(PageQuery):
    branch_id: str | None = OptId
    staff_id: str | None = OptId


class ScorecardQuery(RequestModel):
    month: Month


class RollupQuery(RequestModel):
    month: Month
    branch_id: str | None = OptId
