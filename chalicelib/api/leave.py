"""Leave 请假: a client manager asks, the supervisor of the branch decides (000 第一篇 第四条)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import leave
    from ..models import leave as leave_models
else:
    leave = lazy("chalicelib.domain.leave")
    leave_models = lazy("chalicelib.models.leave")

bp = Blueprint(__name__)

MANAGER = [Role.client_manager]
SUPERVISOR = [Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
TAGS = ["leave"]


@route(
    bp,
    "/v1/leave",
    "POST",
    roles=MANAGER,
    summary="Ask the supervisor for leave, in advance (a day, several days or half a day)",
    body=lambda: leave_models.LeaveIn,
    response=lambda: leave_models.LeaveOut,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def request_leave(ctx: Ctx, body: leave_models.LeaveIn) -> Any:
    return leave.request(ctx.user, body)


@route(
    bp,
    "/v1/leave",
    order="newest first, by the leave's first day",
    roles=READERS,
    summary="Leave by first day, newest first (managers: their own; supervisors: their branch)",
    query=lambda: leave_models.LeaveQuery,
    response=lambda: leave_models.LeavePage,
    tags=TAGS,
)
def list_leave(ctx: Ctx, query: leave_models.LeaveQuery) -> Any:
    page = leave.list_leave(
        ctx.user,
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
    response=lambda: leave_models.LeaveOut,
    tags=TAGS,
    errors=(404,),
)
def get_leave(ctx: Ctx, leave_id: str) -> Any:
    return leave.read(ctx.user, leave_id)


@route(
    bp,
    "/v1/leave/{leave_id}/decision",
    "POST",
    roles=SUPERVISOR,
    summary="Approve or refuse a pending request of your branch (a refusal says why)",
    body=lambda: leave_models.LeaveDecisionIn,
    response=lambda: leave_models.LeaveOut,
    tags=TAGS,
    errors=(404, 409),
)
def decide_leave(ctx: Ctx, leave_id: str, body: leave_models.LeaveDecisionIn) -> Any:
    return leave.decide(ctx.user, leave_id, body)


@route(
    bp,
    "/v1/leave/{leave_id}/withdraw",
    "POST",
    roles=MANAGER,
    summary="Withdraw your request while it waits for a decision",
    body=lambda: leave_models.LeaveWithdrawIn,
    response=lambda: leave_models.LeaveOut,
    tags=TAGS,
    errors=(404, 409),
)
def withdraw_leave(ctx: Ctx, leave_id: str, body: leave_models.LeaveWithdrawIn) -> Any:
    return leave.withdraw(ctx.user, leave_id, body)
