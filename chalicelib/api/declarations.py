"""Month-end declarations 月末开户申报: managers declare, supervisors compare (000 第一篇 第十三条)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import declarations
    from ..models import declarations as declarations_models
else:
    declarations = lazy("chalicelib.domain.declarations")
    declarations_models = lazy("chalicelib.models.declarations")

bp = Blueprint(__name__)

TAGS = ["declarations"]


@route(
    bp,
    "/v1/declarations",
    "POST",
    roles=[Role.client_manager],
    summary="Declare the accounts you opened in a month (the whole list; editable until the deadline)",
    body=lambda: declarations_models.DeclarationIn,
    response=lambda: declarations_models.DeclarationOut,
    tags=TAGS,
    errors=(409, 422),
)
def declare(ctx: Ctx, body: declarations_models.DeclarationIn) -> Any:
    return declarations.declare(ctx.user, body)


@route(
    bp,
    "/v1/declarations",
    order="by manager id (a supervisor's branch); a manager's own is one item",
    roles=[Role.client_manager, Role.supervisor],
    summary="A month's declarations (managers: their own; supervisors: their branch's)",
    query=lambda: declarations_models.DeclarationQuery,
    response=lambda: declarations_models.DeclarationList,
    tags=TAGS,
)
def list_declarations(ctx: Ctx, query: declarations_models.DeclarationQuery) -> Any:
    return declarations.list_declarations(ctx.user, query.month, query.manager_id)


@route(
    bp,
    "/v1/declarations/close",
    "POST",
    roles=[Role.supervisor],
    summary="Close your branch's month for declarations before the deadline (once, for good)",
    body=lambda: declarations_models.CloseIn,
    response=lambda: declarations_models.ClosureOut,
    tags=TAGS,
    errors=(422,),
)
def close_declarations(ctx: Ctx, body: declarations_models.CloseIn) -> Any:
    return declarations.close_month(ctx.user, body.month)


@route(
    bp,
    "/v1/declarations/conflicts",
    roles=[Role.supervisor, Role.compliance, Role.admin],
    summary="Accounts declared by several managers or against attribution, with the FALSE_CLAIM rule",
    query=lambda: declarations_models.ConflictQuery,
    response=lambda: declarations_models.ConflictReport,
    tags=TAGS,
)
def declaration_conflicts(ctx: Ctx, query: declarations_models.ConflictQuery) -> Any:
    return declarations.conflicts(ctx.user, query.month, query.branch_id)
