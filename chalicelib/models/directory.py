"""Staff and partner outlet directory."""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..enum_meanings import describe
from .common import BoundedDate, Page, PageQuery, RequestModel, ResponseModel, Role

StaffRole = Literal["client_manager", "supervisor", "callback_agent", "callback_lead", "compliance", "admin", "system"]
Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
# An id inside a list: the same pattern (a '#' in an id would reach into another key's namespace).
IdItem = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class StaffIn(RequestModel):
    staff_id: str = Id
    name: str = Field(min_length=1, max_length=50)
    role: StaffRole
    branch_id: str = Id
    outlet_ids: list[IdItem] = Field(default_factory=list, max_length=20)


def _refuse_null(value):
    if value is None:
        raise ValueError("may be omitted to leave it unchanged, but not null")
    return value


class StaffPatch(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=50)
    role: StaffRole | None = None
    branch_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    outlet_ids: list[IdItem] | None = Field(None, max_length=20)
    status: Literal["active", "departed"] | None = None
    departed_on: BoundedDate | None = None
    successor_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="with a departure: the client manager of the branch who takes "
        "over the departed manager's prospects (none: the branch pool)",
    )

    # Omitted means "unchanged"; an explicit null would erase a required attribute (a member with no status).
    _not_null = field_validator("name", "role", "branch_id", "outlet_ids", "status", mode="before")(
        lambda v: _refuse_null(v)
    )

    @model_validator(mode="after")
    def _departure_needs_date(self):
        if self.status == "departed" and self.departed_on is None:
            raise ValueError("departed_on is required when status is departed")
        if self.successor_id and self.status != "departed":
            raise ValueError("successor_id is given with a departure (status departed) only")
        return self


class HandoverIn(RequestModel):
    successor_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="an active client manager of the branch; none: the branch pool",
    )
    reason: str = Field(min_length=6, max_length=300)


class HandoverOut(ResponseModel):
    staff_id: str
    moved: int = Field(description="active prospects moved by this request (0 when repeated)")
    to: str = Field(description="the successor's staff id, or pool")


class StaffOut(ResponseModel):
    staff_id: str
    name: str
    role: str = Field(description=describe("role"))
    branch_id: str
    outlet_ids: list[str] = []
    status: str = Field(description=describe("staff_status"))
    departed_on: date | None = None
    created_at: str
    updated_at: str | None = None


class StaffQuery(PageQuery):
    branch_id: str | None = None
    role: StaffRole | None = None


class LocationOut(ResponseModel):
    """Coordinates as recorded (WGS 84 degrees; numbers on write and on read)."""

    lat: float
    lng: float
    accuracy_m: float | None = None


class Location(RequestModel):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100000)


class OutletIn(RequestModel):
    outlet_id: str = Id
    bank: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    branch_id: str = Id
    address: str = Field("", max_length=200)
    location: Location | None = None


class OutletPatch(RequestModel):
    bank: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=100)
    address: str | None = Field(None, max_length=200)
    location: Location | None = None
    status: Literal["active", "closed"] | None = None

    _not_null = field_validator("bank", "name", "status", mode="before")(lambda v: _refuse_null(v))


class OutletOut(ResponseModel):
    outlet_id: str
    bank: str
    name: str
    branch_id: str
    address: str = ""
    location: LocationOut | None = None
    status: str = Field("active", description=describe("outlet_status"))
    created_at: str


class OutletQuery(PageQuery):
    branch_id: str | None = None


class StaffPage(Page[StaffOut]):
    pass


class OutletPage(Page[OutletOut]):
    pass


MARKETING = {Role.client_manager.value, Role.supervisor.value}
