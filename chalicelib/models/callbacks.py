"""Callback work: an agent's attempts and outcomes, compliance reviews, reports (what a task reads as:
task_views.py)."""

from datetime import date
from enum import Enum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, field_validator

from ..enum_meanings import describe
from .accounts import CloseReason
from .common import BoundedDate, BoundedDatetime, Month, Page, PageQuery, RequestModel, ResponseModel
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
    call_back_later = "call_back_later"  # "call me at T"


UNANSWERED_REASONS = {UnreachedReason.no_answer.value, UnreachedReason.busy.value}


class Respondent(str, Enum):
    """Who answered: "本细则回访的对象必须是客户本人或经公证的授权委托代理人" (seed 001 细则 第四条)."""

    client = "client"
    notarised_agent = "notarised_agent"


class Checklist(RequestModel):
    """The regulator's content of a callback (CSRC 2010; seed 000 第三篇): each answer as the client gave it.

    Every answer is an explicit true (是) or false (否): a missing answer is refused naming it, never read
    as "no" (issue 21.3), and a string or number is refused as well (strict booleans).
    """

    account_changes_confirmed: StrictBool  # the client confirms the account's changes (客户账户变动确认)
    no_staff_trading: StrictBool  # no staff traded on the client's behalf (代客操作)
    risks_disclosed: StrictBool
    no_discretionary_authority: StrictBool  # the client gave no one discretionary authority (全权委托)
    # seed 000 第三篇: "不得对客户做出保证证券买卖收益或赔偿证券买卖损失的承诺"
    no_return_promise: StrictBool
    # seed 000 第三篇: no "代替客户在开户申请书、三方存管协议等重要文件上签字"
    no_signing_for_client: StrictBool


# An evidence reference (recording id, scan id, archive path): a printable string of sane length.
EvidenceRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
DialledNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9\-]{5,20}$")]


# Evidence a reached attempt carries per channel, and the channels where the client answers (and rates)
# the call. domain/callback_work.required_content adds what the task's trigger needs.
EVIDENCE = {
    "phone": ("recording_ref", "dialled_number"),
    "visit": ("signature_ref",),
    "letter": ("return_slip_ref", "postal_receipt_ref"),
    "email": ("email_archive_ref",),
    "wechat": ("chat_export_ref",),
    "sms": (),
}
INTERACTIVE = {"phone", "visit", "wechat"}


def _reached_requires(schema: dict) -> None:
    """The schema says what a reached attempt must carry by channel (JSON Schema if/then).

    The task's trigger may require more (checklist, transfer_recognised, closing_reason): the API
    names those fields in a 400 (domain/callback_work.required_content).
    """
    rules = [
        {
            "if": {"properties": {"reached": {"const": True}}, "required": ["reached"]},
            "then": {"required": ["answered_by", "identity_confirmed"]},
        }
    ]
    for channel, evidence in EVIDENCE.items():
        required = [*evidence, *(["satisfaction"] if channel in INTERACTIVE else [])]
        if required:
            rules.append(
                {
                    "if": {
                        "properties": {"reached": {"const": True}, "channel": {"const": channel}},
                        "required": ["reached", "channel"],
                    },
                    "then": {"required": required},
                }
            )
    schema["allOf"] = rules


class AttemptIn(RequestModel):
    model_config = ConfigDict(json_schema_extra=_reached_requires)

    channel: Channel
    at: BoundedDatetime | None = None  # when the attempt happened; defaults to now
    reached: bool
    reason: UnreachedReason | None = None
    call_back_at: BoundedDatetime | None = None  # with reason call_back_later
    # Evidence per channel (DOMAIN 4; seed 001 前台业务人员客户回访管理规定 第六条), stored as references.
    recording_ref: EvidenceRef | None = None  # phone: the recording
    dialled_number: DialledNumber | None = None  # phone: "在备注中写明呼叫的电话号码"; stored sealed, shown masked
    signature_ref: EvidenceRef | None = None  # visit: the record signed by the client
    return_slip_ref: EvidenceRef | None = None  # letter: the return slip signed by the client
    postal_receipt_ref: EvidenceRef | None = None  # letter: "邮局的回执和信封作为此记录表的附件"
    email_archive_ref: EvidenceRef | None = None  # e-mail: the archived copy
    chat_export_ref: EvidenceRef | None = None  # WeChat: the chat export or screenshot
    answered_by: Respondent | None = None
    identity_confirmed: StrictBool | None = None
    checklist: Checklist | None = None
    satisfaction: int | None = Field(None, ge=1, le=5)
    needs: str = Field("", max_length=2000)
    feedback: str = Field("", max_length=2000)
    transfer_recognised: StrictBool | None = None  # large outflow: does the client recognise the transfer
    closing_reason: CloseReason | None = None
    note: str = Field("", max_length=2000)
    problems: list[FoundProblem] = Field(default_factory=list, max_length=10)

    @field_validator("at", "call_back_at")
    @classmethod
    def _offset_required(cls, value):
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset, e.g. +08:00")
        return value


class DecisionIn(RequestModel):
    """A branch manager closes an unreached risk callback; the reason is recorded."""

    reason: str = Field(min_length=5, max_length=2000)


class ReviewIn(RequestModel):
    result: Literal["compliant", "non_compliant"]
    note: str = Field("", max_length=2000)


class TaskListQuery(PageQuery):
    """My tasks, a page at a time."""


class QueueQuery(TaskListQuery):
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class BoardQuery(RequestModel):
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class BoardRow(ResponseModel):
    assignee_id: str | None = None  # None: the branch queue (unassigned)
    name: str = ""
    trigger: str
    open: int
    due_today: int
    overdue: int


class BoardLoad(ResponseModel):
    assignee_id: str | None = None
    name: str = ""
    open: int
    due_today: int
    overdue: int
    risk: int


class BoardOut(ResponseModel):
    branch_id: str
    as_of: str
    today: str
    rows: list[BoardRow]
    workload: list[BoardLoad]


class SampleQuery(RequestModel):
    branch_id: str = Field(min_length=1, max_length=64)
    month: Month
    size: int = Field(5, ge=1, le=50)


class ContactRequestQuery(PageQuery):
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class ContactRequestOut(ResponseModel):
    """A wrong number reported to the client's branch: re-establish the contact by `due_on`."""

    account_id: str
    task_id: str
    branch_id: str
    trigger: str = Field(description=describe("trigger"))
    client_name: str | None = None  # masked
    phone_masked: str | None = None  # the number that was wrong
    reason: str
    status: str
    requested_at: str
    requested_by: str
    due_on: date
    overdue: bool = False


class ContactRequestPage(Page[ContactRequestOut]):
    pass


class RevealOut(ResponseModel):
    task_id: str
    account_id: str
    phone: str | None
    client_name: str | None = None
    audit_id: str


# --- reports ------------------------------------------------------------------------
class MonthQuery(RequestModel):
    month: Month
    branch_id: str | None = Field(None, min_length=1, max_length=64)


class CoverageQuery(RequestModel):
    branch_id: str | None = Field(None, min_length=1, max_length=64)
    opened_from: BoundedDate
    opened_to: BoundedDate
    year: int | None = Field(None, ge=2000, le=2100)
    year_end_clients: int | None = Field(None, ge=0, le=100_000_000)


class YearEndIn(RequestModel):
    branch_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    year: int = Field(ge=2000, le=2100)
    clients: int = Field(ge=0, le=100_000_000)  # clients at year end, dormant and suspended excluded
