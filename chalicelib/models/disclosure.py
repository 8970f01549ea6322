"""What a caller says when asking for a client's full phone, ID number or name.

PIPL 第六条: "收集个人信息，应当限于实现处理目的的最小范围" - a reveal names its purpose from a
short list and says in a sentence why (the audit shows both to compliance); compliance names its case.
"""

from enum import Enum

from pydantic import Field, ValidationInfo, field_validator

from .common import RequestModel


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
