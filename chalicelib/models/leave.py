"""Leave 请假: asked of the supervisor (区域经理) in advance, approved or refused (000 第一篇 第四条)."""

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import Field

from .common import BoundedDate, Month, Page, PageQuery, RequestModel, ResponseModel, StatusStep


class LeaveKind(str, Enum):
    personal = "personal"  # 私事
    sick = "sick"  # 生病


class LeaveStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    withdrawn = "withdrawn"


HALVES = ("am", "pm")  # 上午 / 下午: one half of a single day


class LeaveIn(RequestModel):
    """Leave as requested: a day, several days, or half of one day (旷工 is counted in half days too)."""

    kind: LeaveKind
    start_date: BoundedDate
    end_date: BoundedDate
    half_day: Literal["am", "pm"] | None = None
    reason: str = Field(min_length=1, max_length=500)


class LeaveDecisionIn(RequestModel):
    approve: bool
    comment: str = Field("", max_length=500)  # a refusal says why


class LeaveWithdrawIn(RequestModel):
    reason: str = Field("", max_length=500)


class LeaveQuery(PageQuery):
    status: Literal["pending", "approved", "refused", "withdrawn"] | None = None
    manager_id: str | None = Field(None, min_length=1, max_length=64)
    month: Month | None = None  # of the first day


class LeaveOut(ResponseModel):
    leave_id: str
    manager_id: str
    branch_id: str
    kind: str
    start_date: date
    end_date: date
    half_day: str | None = None
    days: str = Field(description="working days asked for, halves as .5 (a decimal string)")
    reason: str
    status: str
    requested_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    decision_comment: str | None = None
    withdrawn_at: str | None = None
    history: list[StatusStep] = []


class LeavePage(Page[LeaveOut]):
    pass
