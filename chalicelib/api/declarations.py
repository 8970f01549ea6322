"""Month-end declarations 月末开户申报: managers declare, supervisors compare (000 第一篇 第十三条)."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)

TAGS = ["declarations"]


@route(
    bp,
    "/v1/declarations",
    "POST",
    roles=[Role.client_manager],
    summary="Declare the accounts you opened in a month (the whole list; editable until the deadline)",
    body="chalicelib.models.declarations:DeclarationIn",
    response="chalicelib.models.declarations:DeclarationOut",
    tags=TAGS,
    errors=(409, 422),
)
def declare(ctx, body):
    from ..domain import declarations

    return declarations.declare(ctx.principal, body)


@route(
    bp,
    "/v1/declarations",
    order="by manager id (a supervisor's branch); a manager's own is one item",
    roles=[Role.client_manager, Role.supervisor],
    summary="A month's declarations (managers: their own; supervisors: their branch's)",
    query="chalicelib.models.declarations:DeclarationQuery",
    response="chalicelib.models.declarations:DeclarationList",
    tags=TAGS,
)
def list_declarations(ctx, query):
    from ..domain import declarations

    return declarations.list_declarations(ctx.principal, query.month, query.manager_id)


@route(
    bp,
    "/v1/declarations/close",
    "POST",
    roles=[Role.supervisor],
    summary="Close your branch's month for declarations before the deadline (once, for good)",
    body="chalicelib.models.declarations:CloseIn",
    response="chalicelib.models.declarations:ClosureOut",
    tags=TAGS,
    errors=(422,),
)
def close_declarations(ctx, body):
    from ..domain import declarations

    return declarations.close_month(ctx.principal, body.month)


@route(
    bp,
    "/v1/declarations/conflicts",
    roles=[Role.supervisor, Role.compliance, Role.admin],
    summary="Accounts declared by several managers or against attribution, with the FALSE_CLAIM rule",
    query="chalicelib.models.declarations:ConflictQuery",
    response="chalicelib.models.declarations:ConflictReport",
    tags=TAGS,
)
def declaration_conflicts(ctx, query):
    from ..domain import declarations

    return declarations.conflicts(ctx.principal, query.month, query.branch_id)
