"""Branches: admins open and list them in the console; a supervisor reads their own (issue 20)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..errors import Forbidden
from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import branches
    from ..models import branches as branch_models
else:
    branches = lazy("chalicelib.domain.branches")
    branch_models = lazy("chalicelib.models.branches")

bp = Blueprint(__name__)
TAGS = ["directory"]
READERS = (Role.admin.value, Role.compliance.value)


@route(
    bp,
    "/v1/branches",
    order="by branch_id",
    roles=list(READERS),
    summary="List branches, open and closed",
    query=lambda: branch_models.BranchQuery,
    response=lambda: branch_models.BranchPage,
    tags=TAGS,
    errors=(400,),
)
def list_branches(ctx: Ctx, query: branch_models.BranchQuery) -> Any:
    page = branches.list_branches(query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda b: b)


@route(
    bp,
    "/v1/branches",
    "POST",
    roles=[Role.admin],
    status=201,
    summary="Open a branch (its id is fixed; an existing id is refused with 409 branch_exists; retry with "
    "the same Idempotency-Key to get the first answer)",
    body=lambda: branch_models.BranchIn,
    response=lambda: branch_models.BranchOut,
    tags=TAGS,
    errors=(400, 409),
)
def create_branch(ctx: Ctx, body: branch_models.BranchIn) -> Any:
    return branches.create(body.branch_id, body.name, by=ctx.user.id)


@route(
    bp,
    "/v1/branches/{branch_id}",
    roles=[Role.admin, Role.compliance, Role.supervisor],
    summary="One branch (supervisors: their own)",
    response=lambda: branch_models.BranchOut,
    tags=TAGS,
    errors=(403, 404),
)
def get_branch(ctx: Ctx, branch_id: str) -> Any:
    if ctx.user.role not in READERS and ctx.user.branch_id != branch_id:
        raise Forbidden("a supervisor reads their own branch only")
    return branches.get(branch_id)
