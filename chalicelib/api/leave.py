"""Leave 请假: a client manager asks, the supervisor of the branch decides (000 第一篇 第四条)."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)

MANAGER = [Role.client_manager]
SUPERVISOR = [Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
TAGS = ["leave"]
OUT = "chalicelib.models.leave:LeaveOut"


@route(
    bp,
    "/v1/leave",
    "POST",
    roles=MANAGER,
    summary="Ask the supervisor for leave, in advance (a day, several days or half a day)",
    body="chalicelib.models.leave:LeaveIn",
    response=OUT,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def request_leave(ctx, body):
    from ..domain import leave

    return leave.request(ctx.principal, body)


@route(
    bp,
    "/v1/leave",
    order="newest first, by the leave's first day",
    roles=READERS,
    summary="Leave by first day, newest first (managers: their own; supervisors: their branch)",
    query="chalicelib.models.leave:LeaveQuery",
    response="chalicelib.models.leave:LeavePage",
    tags=TAGS,
)
def list_leave(ctx, query):
    from ..domain import leave

    page = leave.list_leave(
        ctx.principal,
        status=query.status,
        manager_id=query.manager_id,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, lambda r: r)


@route(
    bp,
    "/v1/leave/{leave_id}",
    roles=READERS,
    summary="A leave request with its history",
    response=OUT,
    tags=TAGS,
    errors=(404,),
)
def get_leave(ctx, leave_id):
    from ..domain import leave

    return leave.read(ctx.principal, leave_id)


@route(
    bp,
    "/v1/leave/{leave_id}/decision",
    "POST",
    roles=SUPERVISOR,
    summary="Approve or refuse a pending request of your branch (a refusal says why)",
    body="chalicelib.models.leave:LeaveDecisionIn",
    response=OUT,
    tags=TAGS,
    errors=(404, 409),
)
def decide_leave(ctx, leave_id, body):
    from ..domain import leave

    return leave.decide(ctx.principal, leave_id, body)


@route(
    bp,
    "/v1/leave/{leave_id}/withdraw",
    "POST",
    roles=MANAGER,
    summary="Withdraw your request while it waits for a decision",
    body="chalicelib.models.leave:LeaveWithdrawIn",
    response=OUT,
    tags=TAGS,
    errors=(404, 409),
)
def withdraw_leave(ctx, leave_id, body):
    from ..domain import leave

    return leave.withdraw(ctx.principal, leave_id, body)
