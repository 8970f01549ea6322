"""Shared pydantic building blocks: strict request models, roles, masking.

Model modules do not use `from __future__ import annotations`: pydantic would then eval
every string annotation when the class is created, a measurable share of a cold start.
"""

from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# A calendar month "YYYY-MM"; the year is bounded so no date arithmetic on it can fail.
Month = Annotated[str, StringConstraints(pattern=r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$")]

# Every date a request carries lies in this range, so no deadline, bucket or report arithmetic on it
# can overflow (9999-12-31 + 1 day is a 500, not an answer). 1990-12-19: the Shanghai Stock Exchange
# opened, so no brokerage account or trade is older; a migrated book's oldest openings still pass.
EARLIEST_DATE = date(1990, 12, 19)
LATEST_DATE = date(2100, 12, 31)
_RANGE = f"must be between {EARLIEST_DATE} and {LATEST_DATE}"


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(_RANGE)
    return value


def _datetime_in_range(value: datetime) -> datetime:
    # Compared as a day in Asia/Shanghai (UTC+8, no daylight saving) whatever offset it carries.
    day = (value.astimezone(timezone(timedelta(hours=8))) if value.tzinfo else value).date()
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(_RANGE)
    return value


BoundedDate = Annotated[date, AfterValidator(_date_in_range)]
BoundedDatetime = Annotated[datetime, AfterValidator(_datetime_in_range)]
BoundedAwareDatetime = Annotated[AwareDatetime, AfterValidator(_datetime_in_range)]


class Role(str, Enum):
    client_manager = "client_manager"
    supervisor = "supervisor"
    callback_agent = "callback_agent"
    callback_lead = "callback_lead"  # a callback centre's lead: its board, workload, reassignment
    compliance = "compliance"
    admin = "admin"
    system = "system"
    outlet = "outlet"  # a partner bank outlet calling with its API key


MARKETING_ROLES = {Role.client_manager.value, Role.supervisor.value}
STAFF_ROLES = [r.value for r in Role if r is not Role.outlet]


class RequestModel(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class PageQuery(RequestModel):
    """Query of a cursor-paginated list: `limit` and the opaque `next_token` of the previous page."""

    limit: int = Field(20, ge=1, le=100)
    next_token: str | None = None


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


ItemT = TypeVar("ItemT")


# One page of a cursor-paginated list, the response model of every list route: an area names its page
# `class VisitPage(Page[VisitOut]): pass`, so the OpenAPI schema keeps the area's name (no docstring here:
# it would be no page's description). `Ctx.page` builds it; `api.payloads.render` validates and dumps it.
class Page(ResponseModel, Generic[ItemT]):
    items: list[ItemT]
    next_token: str | None = None


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"


def mask_id_number(id_number: str | None) -> str | None:
    if not id_number:
        return id_number
    return f"{id_number[:3]}***********{id_number[-4:]}" if len(id_number) >= 8 else "****"


def mask_name(name: str | None) -> str | None:
    """张三丰 -> 张**; keeps the family name only."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


class StatusStep(ResponseModel):
    """One step of a record's history: who moved it to which status, when, and why (nothing is deleted)."""

    at: str
    by: str
    to: str
    comment: str | None = None
    note: str | None = None
