"""Complaints 投诉: recorded by whoever received them, handled by an owner within hours (002 第二十条 §4)."""

from enum import Enum
from typing import Literal

from pydantic import AwareDatetime, Field

from ..enum_meanings import describe
from .common import Month, Page, PageQuery, RequestModel, ResponseModel

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class Channel(str, Enum):
    phone = "phone"
    in_person = "in_person"
    outlet = "outlet"
    callback = "callback"
    letter = "letter"
    online = "online"


class ComplaintStatus(str, Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"


UNRESOLVED = {ComplaintStatus.open.value, ComplaintStatus.in_progress.value}
TRANSITIONS = {"open": {"in_progress", "resolved"}, "in_progress": {"resolved"}, "resolved": set()}
# The penalties a complaint may lead to (seed 000 第一篇).
PENALTY_RULES = {"CLIENT_COMPLAINT", "BANK_COMPLAINT"}


class ComplaintIn(RequestModel):
    """A complaint as received. Source, recorder, owner and the clock are set by the server."""

    account_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    client_name: str | None = Field(None, min_length=1, max_length=50)  # when no account names the client
    channel: Channel
    content: str = Field(min_length=1, max_length=2000)
    received_at: AwareDatetime
    task_id: str | None = Field(None, min_length=1, max_length=200)  # a callback agent, from a callback task


class TransitionIn(RequestModel):
    to: Literal["in_progress", "resolved"]
    note: str = Field("", max_length=2000)  # resolving: the resolution, required


class OwnerIn(RequestModel):
    owner_id: str = Id


class PenaltyLinkIn(RequestModel):
    penalty_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class ComplaintQuery(PageQuery):
    status: Literal["open", "in_progress", "resolved"] | None = None
    overdue: bool | None = None
    branch_id: str | None = Field(None, min_length=1, max_length=64)
    month: Month | None = None  # of receipt


class HistoryEntry(ResponseModel):
    """One step of the item's life: who moved it, when, and to what."""

    at: str
    by: str
    to: str | None = Field(None, description="the status it moved to")
    note: str | None = None
    owner: str | None = Field(None, description="a reassignment: the new owner")
    penalty_id: str | None = Field(None, description="the penalty linked to the complaint")


class ComplaintOut(ResponseModel):
    complaint_id: str
    branch_id: str
    account_id: str | None = None
    client_name: str | None = None  # masked: 张**
    task_id: str | None = None
    outlet_id: str | None = None
    channel: str = Field(description=describe("complaint_channel"))
    content: str
    source: str
    recorded_by: str
    received_at: str
    created_at: str
    owner_id: str | None = None
    status: str = Field(description=describe("complaint_status"))
    due_at: str
    overdue: bool = False
    escalated: bool = False
    escalated_at: str | None = None
    resolution: str | None = None
    resolved_at: str | None = None
    resolved_in_time: bool | None = None
    penalty_id: str | None = None
    history: list[HistoryEntry] = Field([], description="oldest first")


class ComplaintPage(Page[ComplaintOut]):
    pass
