"""Privilege changes under four eyes: requests, decisions and the staff change log."""

from datetime import date
from typing import Literal

from pydantic import Field

from ..enum_meanings import describe
from .common import Month, Page, PageQuery, RequestModel, ResponseModel
from .directory import Id, StaffRole


class PrivilegeRequestIn(RequestModel):
    """A change that needs a second admin: granting admin or compliance, or changing one's own
    role or branch. For a member who does not exist yet, `name` and `branch_id` create them."""

    staff_id: str = Id
    role: StaffRole | None = None
    branch_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    status: Literal["active", "departed"] | None = None
    departed_on: date | None = None
    name: str | None = Field(None, min_length=1, max_length=50)
    reason: str = Field(min_length=6, max_length=300)


class DecisionIn(RequestModel):
    reason: str = Field("", max_length=300)


class StaffFields(ResponseModel):
    """The tracked fields of a staff member before or after a change."""

    role: str | None = Field(None, description=describe("role"))
    branch_id: str | None = None
    status: str | None = Field(None, description=describe("staff_status"))


class RequestedChange(StaffFields):
    """What a privilege request would change (a new member: name and branch too)."""

    name: str | None = None
    departed_on: date | None = None


class PrivilegeRequestOut(ResponseModel):
    request_id: str
    staff_id: str
    requested_by: str
    requested_at: str
    change: RequestedChange
    reason: str
    status: str = Field(description=describe("privilege_status"))
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None


class PrivilegeRequestQuery(PageQuery):
    status: Literal["pending", "approved", "rejected"] = "pending"


class PrivilegeRequestPage(Page[PrivilegeRequestOut]):
    pass


class StaffChangeOut(ResponseModel):
    change_id: str
    staff_id: str
    at: str
    actor_id: str
    approved_by: str | None = None
    request_id: str | None = None
    before: StaffFields | None = Field(None, description="null: the member was created")
    after: StaffFields


class StaffChangeQuery(PageQuery):
    month: Month


class StaffChangePage(Page[StaffChangeOut]):
    pass
