"""Callback work: an agent's attempts and outcomes, compliance reviews, reports."""

from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import Field, field_validator

from .accounts import CloseReason
from .common import Month, PageQuery, RequestModel, ResponseModel
from .problems import FoundProblem



class Channel(str, Enum):
    phone = "phone"
    visit = "visit"
    letter = "letter"
    email = "email"
    sms = "sms"
    wechat = "wechat"


FALLBACK_CHANNELS = (Channel.letter.value, Channel.email.value, Channel.sms.value)


class UnreachedReason(str, Enum):
    no_answer = "no_answer"
    busy = "busy"
    wrong_number = "wrong_number"
    refused = "refused"
    call_back_later = "call_back_later"   # "call me at T"


UNANSWERED_REASONS = {UnreachedReason.no_answer.value, UnreachedReason.busy.value}


class Checklist(RequestModel):
    """The regulator's content of a callback (CSRC 2010): each answer as the client gave it."""
    account_changes_confirmed: bool
    no_staff_trading: bool           # no staff traded on the client's behalf (代客操作)
    risks_disclosed: bool
    no_discretionary_authority: bool  # the client gave no one discretionary authority (全权委托)


class AttemptIn(RequestModel):
    channel: Channel
    at: datetime | None = None            # when the attempt happened; defaults to now
    reached: bool
    reason: UnreachedReason | None = None
    call_back_at: datetime | None = None  # with reason call_back_later
    recording_ref: str | None = Field(None, min_length=1, max_length=200)   # phone
    signature_ref: str | None = Field(None, min_length=1, max_length=200)   # visit
    identity_confirmed: bool | None = None
    checklist: Checklist | None = None
    satisfaction: int | None = Field(None, ge=1, le=5)
    needs: str = Field("", max_length=2000)
    feedback: str = Field("", max_length=2000)
    transfer_recognised: bool | None = None   # large outflow: does the client recognise the transfer
    closing_reason: CloseReason | None = None
    note: str = Field("", max_length=2000)
    problems: list[FoundProblem] = Field(default_factory=list, max_length=10)

    @field_validator("at", "call_back_at")
    @classmethod
    def _offset_required(cls, value):
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset, e.g. +08:00")
        return value


class ReviewIn(RequestModel):
    result: Literal["compliant", "non_compliant"]
    note: str = Field("", max_length=2000)


class TaskListQuery(PageQuery):
    """My tasks, a page at a time."""


class QueueQuery(TaskListQuery):
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class SampleQuery(RequestModel):
    branch_id: str = Field(min_length=1, max_length=64)
    month: Month
    size: int = Field(5, ge=1, le=50)



class TaskOut(ResponseModel):
    task_id: str
    trigger: str
    account_id: str
    branch_id: str
    client_name: str | None = None
    phone_masked: str | None = None
    business_date: date
    due_on: date
    due_at: str
    priority: int
    risk: bool = False
    status: str
    overdue: bool = False
    assignee_id: str | None = None
    attempts: int = 0
    attempt_days: list[str] = []
    reschedule_at: str | None = None
    source_task_id: str | None = None
    contact_needs_update: bool = False
    outcome: dict | None = None
    completed_at: str | None = None
    review: dict | None = None
    detail: dict = {}


class TaskDetailOut(TaskOut):
    history: list[dict] = []
    reviews: list[dict] = []


class TaskPage(ResponseModel):
    items: list[TaskOut]
    next_token: str | None = None


class AttemptOut(ResponseModel):
    task: TaskOut
    attempt: dict
    fallback_task_id: str | None = None
    problem_ids: list[str] = []
    escalated: bool = False


class RevealOut(ResponseModel):
    task_id: str
    account_id: str
    phone: str | None
    audit_id: str


# --- reports ------------------------------------------------------------------------
class MonthQuery(RequestModel):
    month: Month
    branch_id: str | None = Field(None, min_length=1, max_length=64)



class CoverageQuery(RequestModel):
    branch_id: str | None = Field(None, min_length=1, max_length=64)
    opened_from: date
    opened_to: date
    year: int | None = Field(None, ge=2000, le=2100)
    year_end_clients: int | None = Field(None, ge=0, le=100_000_000)


class YearEndIn(RequestModel):
    branch_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    year: int = Field(ge=2000, le=2100)
    clients: int = Field(ge=0, le=100_000_000)   # clients at year end, dormant and suspended excluded
