"""What a caller says when asking for a client's full phone, ID number or name, and what the audit of
each disclosure shows compliance.

PIPL 第六条: "收集个人信息，应当限于实现处理目的的最小范围" - a reveal names its purpose from a
short list and says in a sentence why (the audit shows both to compliance); compliance names its case.
"""

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from ..enum_meanings import describe
from .common import BoundedDate, Month, Page, PageQuery, RequestModel, ResponseModel


class RevealPurpose(str, Enum):
    callback = "callback"  # 回访: the agent's open task on this account
    follow_up = "follow_up"  # 跟进: the manager's own prospect or visit contact
    complaint = "complaint"  # 投诉处理: a complaint the caller is handling
    compliance_case = "compliance_case"  # 合规调查: compliance, with its case reference


CaseRef = Field(
    None,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.#]{3,63}$",
    validate_default=True,
    description="Compliance case reference (required with purpose compliance_case)",
)


class RevealRequest(RequestModel):
    purpose: RevealPurpose
    # "free text of at least a sentence": six characters hold a short Chinese one (核对号码回访).
    reason: str = Field(min_length=6, max_length=300, description="Why this reveal is needed, in a sentence")
    case_ref: str | None = CaseRef

    @field_validator("reason")
    @classmethod
    def _a_sentence(cls, value: str) -> str:
        if len(set(value.replace(" ", ""))) < 4:
            raise ValueError("say in a sentence why the reveal is needed")
        return value

    @field_validator("case_ref")
    @classmethod
    def _case_for_compliance(cls, value, info: ValidationInfo):
        if info.data.get("purpose") is RevealPurpose.compliance_case and not value:
            raise ValueError("is required with purpose compliance_case")
        return value


# --- the disclosure audit ------------------------------------------------------------------
AuditId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-.:]{0,63}$")]


class AuditQuery(PageQuery):
    month: Month


class AuditSearchQuery(PageQuery):
    """Compliance's audit search: any of person, client and days (default: the last 31 days)."""

    actor_id: AuditId | None = Field(None, description="Staff id of the person who asked")
    subject_kind: Literal["account", "prospect", "visit"] | None = Field(
        None, description="What subject_id names (required with subject_id): " + describe("audit_subject_kind")
    )
    subject_id: AuditId | None = Field(None, description="Account, prospect or visit id (the client)")
    date_from: BoundedDate | None = Field(None, alias="from", description="First day (Shanghai); default to - 30 days")
    date_to: BoundedDate | None = Field(
        None, alias="to", description="Last day (Shanghai), default today; span <= 366 days"
    )


class AuditRecordOut(ResponseModel):
    audit_id: str
    at: str
    actor_id: str
    actor_role: str
    subject_kind: str
    subject_id: str
    outcome: Literal["granted", "refused"] = "granted"
    fields: list[str]  # the fields actually shown (none when refused)
    requested: list[str] = []
    purpose: str
    reason: str | None = None
    case_ref: str | None = None
    refusal: str | None = None
    branch_id: str


class AuditPage(Page[AuditRecordOut]):
    pass
