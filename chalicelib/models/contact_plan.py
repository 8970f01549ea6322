"""Contact frequency by client value class (002 第十九条, 第二十条; DOMAIN 1)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import Field

from .common import BoundedDate, RequestModel, ResponseModel


class ValueClass(str, Enum):
    """002 第十九条 分类管理: "A类客户:占总销量的70%,总客户数的10%,重点管理;B类客户:占总销量的20%,总客户数的
    20%,一般管理;C类客户:占总销量的10%,总客户数的70%,减少管理" (not the A-D intent classes of prospects)."""

    A = "A"
    B = "B"
    C = "C"


class ValueClassIn(RequestModel):
    value_class: ValueClass = Field(description="A: key clients (about 70% of volume); B: ordinary (20%); C: the rest")
    reason: str = Field(min_length=6, max_length=300, description="why the class is set or changed (kept)")


class ValueClassOut(ResponseModel):
    account_id: str
    value_class: ValueClass
    value_class_source: Literal["supervisor", "feed"]
    value_class_set_by: str
    value_class_set_at: str


class ContactPlanQuery(RequestModel):
    manager_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="client managers: themselves (the default); supervisors: a " "manager of their branch",
    )
    on: BoundedDate | None = Field(None, description="the day whose week and month are planned (default today)")


Duty = Literal["met", "due", "overdue", "none"]


class ContactDue(ResponseModel):
    account_id: str
    client_name_masked: str | None = None
    value_class: ValueClass
    phone: Duty = Field(
        description="this week's phone (or WeChat/SMS, online, in person) contact: met, due, "
        "or overdue when last week's was missed too"
    )
    visit: Duty = Field(
        description="this period's visit (A: every month, B: every two months by default): met, "
        "due, or overdue when the previous period's was missed too; none for C"
    )
    last_contact_week: str | None = None
    last_visit_month: str | None = None


class ContactPlanOut(ResponseModel):
    """Overdue first, then due, then met; A before B; by account id."""

    manager_id: str
    week: str
    month: str
    on: date
    items: list[ContactDue]
    phone_required: int
    phone_met: int
    visit_required: int
    visit_met: int
