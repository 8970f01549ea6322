"""The core system's account feed and the account views.

Each event is parsed on its own through the `AccountEvent` discriminated union
(on `type`), so one malformed event is rejected with field details while the
rest of the batch is kept. The same union parses the rows of the daily CSV.
"""

from datetime import date
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SkipValidation, TypeAdapter

from ..enum_meanings import describe
from .common import BoundedAwareDatetime, BoundedDate, Page, PageQuery, RequestModel, ResponseModel
from .pii import IdNumber, MobilePhone

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
EventId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-:.]+$")]
# Money in yuan, to the fen; never a float.
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2, allow_inf_nan=False)]
PositiveYuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2, allow_inf_nan=False)]


class Tier(str, Enum):
    gold = "gold"
    silver = "silver"
    ordinary = "ordinary"


class OpeningChannel(str, Enum):
    counter = "counter"  # at the branch counter
    online = "online"
    bank_outlet = "bank_outlet"  # a single opening at a partner bank outlet
    bank_outlet_bulk = "bank_outlet_bulk"  # a bulk opening drive at a bank outlet (due within 3 working days)


class CloseReason(str, Enum):
    """Attrition reasons (seed 003 第四章)."""

    moved_away = "moved_away"
    equipment_system = "equipment_system"
    environment = "environment"
    staff_attitude = "staff_attitude"
    research_information = "research_information"
    missing_products = "missing_products"
    competitor = "competitor"
    commission_rate = "commission_rate"
    staff_turnover = "staff_turnover"
    other = "other"


class _Event(RequestModel):
    event_id: EventId
    account_id: Id


class AccountOpened(_Event):
    type: Literal["account_opened"]
    branch_id: Id
    client_name: str = Field(min_length=1, max_length=50)
    phone: MobilePhone
    id_number: IdNumber
    opened_at: BoundedAwareDatetime
    channel: OpeningChannel = OpeningChannel.counter
    outlet_id: Id | None = None
    serving_manager_id: Id | None = None
    tier: Tier = Tier.ordinary


class TradeDay(_Event):
    type: Literal["trade_day"]
    trade_date: BoundedDate


class TransferIn(_Event):
    type: Literal["transfer_in"]
    amount: PositiveYuan
    balance_before: Yuan
    at: BoundedAwareDatetime


class TransferOut(_Event):
    type: Literal["transfer_out"]
    amount: PositiveYuan
    balance_before: Yuan
    at: BoundedAwareDatetime


class AccountClosed(_Event):
    type: Literal["account_closed"]
    closed_at: BoundedAwareDatetime
    reason: CloseReason


class AccountTransferredOut(_Event):
    """The client moved the account out (客户转出, 003 第三十一条): core and important clients get a
    callback the same week and monthly contact after it."""

    type: Literal["account_transferred_out"]
    transferred_at: BoundedAwareDatetime
    destination: str | None = Field(None, max_length=100)


class ManagerChanged(_Event):
    type: Literal["manager_changed"]
    serving_manager_id: Id
    changed_at: BoundedAwareDatetime


class ContactChanged(_Event):
    """The core system re-established the client's phone (e.g. after a wrong-number callback: seed 000
    第五篇 第十一条(三) "重新确定联系方式"). Sealed, hashed and masked like the opening's phone."""

    type: Literal["contact_changed"]
    phone: MobilePhone
    changed_at: BoundedAwareDatetime


class ValueClassChanged(_Event):
    """The core system's client value class A/B/C (002 第十九条: by share of volume), as of `classified_at`.
    The contact plan follows it; a supervisor's manual class holds until the feed's class changes after it
    (domain/accounts/events.py `apply_value_class`)."""

    type: Literal["value_class_changed"]
    value_class: Literal["A", "B", "C"]
    classified_at: BoundedAwareDatetime


AccountEvent = Annotated[
    AccountOpened
    | TradeDay
    | TransferIn
    | TransferOut
    | AccountClosed
    | AccountTransferredOut
    | ManagerChanged
    | ContactChanged
    | ValueClassChanged,
    Field(discriminator="type"),
]


@lru_cache(maxsize=1)
def event_adapter() -> TypeAdapter:
    """Built on first use: a cold start that serves no feed call never pays for the union's validator."""
    return TypeAdapter(AccountEvent)


EVENT_TYPES = (
    "account_opened",
    "trade_day",
    "transfer_in",
    "transfer_out",
    "account_closed",
    "account_transferred_out",
    "manager_changed",
    "contact_changed",
    "value_class_changed",
)


class AccountEventBatch(RequestModel):
    # The schema shows each item as the `AccountEvent` union (one schema per type, discriminated on `type`);
    # validation skips the items here: each is parsed separately so a bad one cannot sink the batch.
    events: list[SkipValidation[AccountEvent]] = Field(
        min_length=1,
        max_length=500,
        description="1-500 events, each one of the event types by its `type`; "
        "applied in order; a refused event is answered in `results` and the others are kept",
    )


class EventErrorDetail(ResponseModel):
    """One failing field of a refused event (the error envelope's detail shape)."""

    field: str
    message: str
    type: str | None = None


class EventResult(ResponseModel):
    index: int
    event_id: str | None = None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None
    details: list[EventErrorDetail] = []
    # A rejection for a transient reason (the database busy, the account changing): resend the event.
    retryable: bool = False


class EventBatchResult(ResponseModel):
    accepted: int
    duplicate: int
    rejected: int
    results: list[EventResult]


class AccountOut(ResponseModel):
    """An account as staff see it: phone and ID number masked, client name masked."""

    account_id: str
    branch_id: str | None = None
    client_name_masked: str | None = None
    phone_masked: str | None = None
    id_number_masked: str | None = None
    status: str = Field(description=describe("account_status"))
    tier: str | None = Field(None, description=describe("tier"))
    channel: str | None = Field(None, description=describe("opening_channel"))
    outlet_id: str | None = None
    serving_manager_id: str | None = None
    opened_at: str | None = None
    opened_on: date | None = None
    last_trade_on: date | None = None
    assets: str | None = None
    closed_on: date | None = None
    close_reason: str | None = Field(None, description=describe("close_reason"))
    updated_at: str | None = None
    value_class: str | None = Field(None, description="A/B/C (002 第十九条), set by the supervisor or the feed")
    value_class_source: str | None = None


class AccountPage(Page[AccountOut]):
    pass


class AccountQuery(PageQuery):
    manager_id: str | None = Field(None, min_length=1, max_length=64)


class RevealOut(ResponseModel):
    account_id: str
    client_name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    audit_id: str


class ImportQuery(RequestModel):
    bucket: str = Field(min_length=1, max_length=255)
    key: str = Field(min_length=1, max_length=1024)
    etag: str = Field(min_length=1, max_length=128)
