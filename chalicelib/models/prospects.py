"""Intent clients (意向客户): registration, follow-ups, the pool, referrals (outlet keys:
outlet_keys.py; the disclosure audit: disclosure.py; the conversion report: reports.py).

`class` is a Python keyword, so the field is `prospect_class` in code and `class`
on the wire (input and output).
"""

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..enum_meanings import describe
from .common import BoundedDate, Month, Page, PageQuery, RequestModel, ResponseModel
from .disclosure import RevealRequest
from .pii import IdNumber, MobilePhone

ProspectClass = Literal["A", "B", "C", "D"]
Source = Literal["own_network", "outlet_walk_in", "referral", "seminar"]
OUTLET_REFERRAL = "outlet_referral"  # set only by the partner outlet route
Channel = Literal["phone", "visit", "wechat", "sms", "seminar", "outlet"]
RevealField = Literal["phone", "id_number"]
Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class ProspectStatus(str, Enum):
    """Prospect lifecycle: owned (protected while followed up; D never protected), in the branch pool, converted."""

    active = "active"
    pool = "pool"
    converted = "converted"


# The str-valued members compare equal to the strings stored before the enum existed.
ACTIVE, POOL, CONVERTED = ProspectStatus.active, ProspectStatus.pool, ProspectStatus.converted


class ClaimKind(str, Enum):
    """What a claim item is keyed by: the lookup hash of the phone or of the ID number (004 先备案)."""

    phone = "phone"
    id_number = "id_number"


class ProspectRecord(BaseModel):
    """A stored prospect as the domain reads and writes it.

    `extra="allow"` keeps attributes another area writes (conversion's, the submission stamp) through a
    read-modify-write, and dates are dates here and ISO strings in the table (`model_dump(mode="json")`).
    """

    model_config = ConfigDict(extra="allow")

    prospect_id: str
    branch_id: str
    name: str
    phone_sealed: str
    phone_hash: str
    phone_masked: str
    id_sealed: str | None = None
    id_hash: str | None = None
    id_masked: str | None = None
    prospect_class: ProspectClass
    source: str
    outlet_id: str | None = None
    first_contact_on: date
    first_contact_due: date
    need: str = ""
    note: str = ""
    status: ProspectStatus
    owner_id: str | None = None
    owner_name: str | None = None
    assigned_on: date | None = None
    protected_until: date | None = None
    next_follow_up: date | None = None
    follow_up_count: int = 0
    last_follow_up_at: str | None = None
    released_at: str | None = None
    previous_owners: dict[str, date] = Field(default_factory=dict)  # manager -> day released from them
    last_owner_id: str | None = None
    created_at: str
    registered_on: date
    registered_by: str
    referred_by_outlet: str | None = None
    referrer: dict[str, str | None] | None = None
    previous_branch_id: str | None = None
    reassigned_by: str | None = None
    reassigned_from: str | None = None
    reassign_reason: str | None = None
    handed_over_from: str | None = None  # hand-over 交接 of a departed manager (issue 19 §8)
    # The first-contact due day already raised to the supervisor (000 第四篇, three days): once per due day.
    first_contact_escalated_for: date | None = None
    handed_over_by: str | None = None
    handover_reason: str | None = None
    converted_account_id: str | None = None
    converted_on: date | None = None
    version: int
    updated_at: str | None = None

    def item(self) -> dict:
        """The attributes to store; unset optional ones are left out, as DynamoDB would drop them."""
        return self.model_dump(mode="json", exclude_none=True)


class _WireModel(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_by_name=True, validate_by_alias=True)


class ProspectIn(_WireModel):
    name: str = Field(min_length=1, max_length=50)
    phone: MobilePhone
    id_number: IdNumber | None = None
    prospect_class: ProspectClass = Field(alias="class")
    source: Source
    outlet_id: str | None = Field(None, min_length=1, max_length=64)
    first_contact_on: BoundedDate
    need: str = Field("", max_length=500)
    note: str = Field("", max_length=500)


class ReferralIn(_WireModel):
    """A partner outlet's referral: the person plus the bank employee who referred them."""

    name: str = Field(min_length=1, max_length=50)
    phone: MobilePhone
    id_number: IdNumber | None = None
    prospect_class: ProspectClass | None = Field(None, alias="class")
    need: str = Field("", max_length=500)
    note: str = Field("", max_length=500)
    referrer_name: str | None = Field(None, min_length=1, max_length=50)
    referrer_employee_no: str | None = Field(None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _referrer_named(self):
        if not self.referrer_name and not self.referrer_employee_no:
            raise ValueError("referrer_name or referrer_employee_no is required")
        return self


class FollowUpIn(RequestModel):
    channel: Channel
    summary: str = Field(min_length=1, max_length=1000)
    client_need: str = Field("", max_length=500)
    next_step: str = Field("", max_length=500)
    next_date: BoundedDate | None = None
    class_change: ProspectClass | None = None


def _both_fields() -> list[RevealField]:
    return ["phone", "id_number"]


class RevealIn(RevealRequest):
    fields: list[RevealField] = Field(default_factory=_both_fields, min_length=1, max_length=2)

    @field_validator("fields")
    @classmethod
    def _distinct(cls, value):
        return list(dict.fromkeys(value))


class ReassignIn(RequestModel):
    to_manager_id: str = Id
    reason: str = Field(min_length=1, max_length=200)


class ProspectQuery(PageQuery):
    owner_id: str | None = Field(None, min_length=1, max_length=64)


class MonthQuery(RequestModel):
    month: Month
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class _Out(ResponseModel):
    model_config = ConfigDict(extra="ignore", serialize_by_alias=True, validate_by_name=True)


class Referrer(ResponseModel):
    """The outlet employee who referred the prospect."""

    name: str | None = None
    employee_no: str | None = None


class ProspectOut(_Out):
    prospect_id: str
    name: str
    phone: str | None = None  # masked
    id_number: str | None = None  # masked
    prospect_class: str = Field(alias="class")
    status: str = Field(description=describe("prospect_status"))
    protected: bool
    protected_until: date | None = None
    next_follow_up: date | None = None
    first_contact_on: date
    first_contact_due: date
    first_contact_overdue: bool = False
    first_contact_escalated_for: date | None = Field(None, description="the due day raised to the supervisor")
    owner_id: str | None = None
    branch_id: str
    source: str
    outlet_id: str | None = None
    need: str = ""
    note: str = ""
    follow_up_count: int = 0
    last_follow_up_at: str | None = None
    referrer: Referrer | None = None
    converted_account_id: str | None = None
    created_at: str
    registered_by: str


class FollowUpOut(_Out):
    follow_up_id: str
    prospect_id: str
    at: str
    by: str
    channel: str = Field(description=describe("follow_up_channel"))
    summary: str
    client_need: str = ""
    next_step: str = ""
    next_date: date | None = None
    class_change: str | None = None


class ProspectDetail(ProspectOut):
    follow_ups: list[FollowUpOut] = []


class ProspectPage(_Out, Page[ProspectOut]):
    pass


class PoolItem(_Out):
    prospect_id: str
    name: str  # masked
    phone: str  # masked
    prospect_class: str = Field(alias="class")
    source: str
    outlet_id: str | None = None
    need: str = ""
    released_at: str


class PoolPage(_Out, Page[PoolItem]):
    pass


class RevealOut(_Out):
    prospect_id: str
    phone: str | None = None
    id_number: str | None = None
    audit_id: str


class CollisionOut(_Out):
    collision_id: str
    prospect_id: str | None = None  # none on the attempting branch's copy of a cross-branch collision
    branch_id: str
    cross_branch: bool = False
    at: str
    attempted_by: str
    attempted_by_kind: str
    existing_owner_id: str | None = None
    source: str
    matched_on: list[str]


class CollisionPage(_Out, Page[CollisionOut]):
    pass


class ReferralOut(_Out):
    referral_id: str
    name: str  # masked
    phone: str  # masked
    status: Literal["registered", "contacted", "converted", "lapsed"]
    referred_at: str
    referrer_name: str | None = None
    referrer_employee_no: str | None = None


class ReferralPage(_Out, Page[ReferralOut]):
    pass
