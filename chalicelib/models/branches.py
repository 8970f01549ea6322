"""Branches (营业部): what an admin sends to open one, and what the branch routes answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .common import Page, PageQuery, RequestModel, ResponseModel

# The id staff, outlets and keys carry ("br-pudong"): lower-case, digits and hyphens, fixed at creation.
BranchId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")]


class BranchIn(RequestModel):
    branch_id: BranchId = Field(description="Lower-case letters, digits and hyphens, e.g. br-pudong; fixed")
    name: str = Field(min_length=1, max_length=100, description="The branch's name, e.g. 浦东营业部")


class BranchOut(ResponseModel):
    branch_id: str
    name: str
    status: Literal["active", "closed"] = "active"
    created_at: str | None = None
    created_by: str | None = None
    closed_at: str | None = None


class BranchPage(Page[BranchOut]):
    pass


class BranchQuery(PageQuery):
    limit: int = Field(50, ge=1, le=100)
