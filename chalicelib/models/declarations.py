"""Month-end declarations 月末开户申报: the accounts a manager opened in a month (000 第一篇 第十三条)."""

from typing import Annotated

from pydantic import Field

from .common import Month, RequestModel, ResponseModel
from .penalties import RuleOut


class DeclarationChange(ResponseModel):
    """One submission of the month's list: the accounts it added and removed."""

    at: str
    by: str
    added: list[str] = []
    removed: list[str] = []


AccountId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class DeclarationIn(RequestModel):
    """The whole list for the month: it replaces the manager's earlier list while the month is open."""

    month: Month
    account_ids: list[AccountId] = Field(max_length=1000)
    note: str = Field("", max_length=500)


class CloseIn(RequestModel):
    month: Month


class ClosureOut(ResponseModel):
    branch_id: str
    month: str
    closed_by: str
    closed_at: str


class DeclarationQuery(RequestModel):
    month: Month
    manager_id: str | None = Field(None, min_length=1, max_length=64)


class ConflictQuery(RequestModel):
    month: Month
    branch_id: str | None = Field(None, min_length=1, max_length=64)  # compliance and admin name it


class DeclaredAccount(ResponseModel):
    account_id: str
    found: bool = Field(description="an account of the branch (an unknown and another branch's read alike)")
    opened_on: str | None = None
    opened_in_month: bool | None = None


class DeclarationOut(ResponseModel):
    manager_id: str
    branch_id: str
    month: str
    account_ids: list[str]
    accounts: list[DeclaredAccount] = []
    note: str = ""
    submitted_at: str
    updated_at: str
    revision: int
    editable_until: str
    closed: bool
    history: list[DeclarationChange] = []


class DeclarationList(ResponseModel):
    month: str
    branch_id: str
    items: list[DeclarationOut]


class Conflict(ResponseModel):
    account_id: str
    kinds: list[str] = Field(description="declared_by_several, attributed_to_other, not_found, " "opened_other_month")
    declared_by: list[str]
    attributed_to: str | None = Field(
        None, description="the prospect owner the opening converted, else the " "serving manager (the accounts feed)"
    )
    attribution: str | None = Field(None, description="conversion, serving_manager, other_branch or none")
    serving_manager_id: str | None = None
    opened_on: str | None = None
    not_attributed: list[str] = Field(
        [], description="declarants the attribution does not name: " "the cases 第十三条 has investigated"
    )


class Candidate(ResponseModel):
    manager_id: str
    account_ids: list[str]
    occurrences: int
    yuan_if_confirmed: str


class ConflictReport(ResponseModel):
    branch_id: str
    month: str
    closed: bool
    declarations: int
    accounts_declared: int
    conflicts: list[Conflict]
    candidates: list[Candidate]
    rule: RuleOut = Field(description="FALSE_CLAIM from the catalogue in force at the month's end")
