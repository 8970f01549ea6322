"""Staff and partner outlet directory routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..auth import cached_staff
from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import directory, privilege
    from ..domain.prospects import handover
    from ..models import directory as directory_models
    from ..models import privilege as privilege_models
    from ..wiring import prospects
else:
    directory = lazy("chalicelib.domain.directory")
    privilege = lazy("chalicelib.domain.privilege")
    handover = lazy("chalicelib.domain.prospects.handover")
    directory_models = lazy("chalicelib.models.directory")
    privilege_models = lazy("chalicelib.models.privilege")
    prospects = lazy("chalicelib.wiring.prospects")

bp = Blueprint(__name__)
ADMIN = [Role.admin]
TAGS = ["directory"]


@route(
    bp,
    "/v1/me",
    roles=[r for r in Role if r is not Role.outlet],
    summary="The caller's staff record",
    response=lambda: directory_models.StaffOut,
    tags=TAGS,
)
def me(ctx: Ctx) -> Any:
    # The record the caller was authenticated with (auth.cached_staff, read in this container at most once per
    # principal_cache_seconds): what their scope is decided from, and no second read on a cold start.
    return cached_staff(ctx.user.id) or directory.get_staff_record(ctx.user.id)


@route(
    bp,
    "/v1/staff",
    "POST",
    roles=ADMIN,
    summary="Create a staff member (admin and compliance members: " "through a privilege request)",
    body=lambda: directory_models.StaffIn,
    response=lambda: directory_models.StaffOut,
    status=201,
    tags=TAGS,
    errors=(403, 409),
)
def create_staff(ctx: Ctx, body: directory_models.StaffIn) -> Any:
    return directory.create_staff(ctx.user, body)


@route(
    bp,
    "/v1/staff",
    order="a branch's staff by role, then staff_id; all staff (admins without branch_id) by staff_id",
    roles=[Role.admin, Role.supervisor],
    summary="List staff (supervisors: own branch)",
    query=lambda: directory_models.StaffQuery,
    response=lambda: directory_models.StaffPage,
    tags=TAGS,
)
def list_staff(ctx: Ctx, query: directory_models.StaffQuery) -> Any:
    page = directory.list_staff(ctx.user, query.branch_id, query.role, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: directory_models.StaffOut.model_validate(i))


@route(
    bp,
    "/v1/staff/{staff_id}",
    roles=[Role.admin, Role.supervisor],
    summary="Get a staff member",
    response=lambda: directory_models.StaffOut,
    tags=TAGS,
)
def get_staff(ctx: Ctx, staff_id: str) -> Any:
    return directory.read_staff(ctx.user, staff_id)


@route(
    bp,
    "/v1/staff/{staff_id}",
    "PATCH",
    roles=ADMIN,
    summary="Update or depart a staff member (granting "
    "admin or compliance, or changing one's own role or branch: through a privilege request)",
    body=lambda: directory_models.StaffPatch,
    response=lambda: directory_models.StaffOut,
    tags=TAGS,
    errors=(403, 404, 409),
)
def update_staff(ctx: Ctx, staff_id: str, body: directory_models.StaffPatch) -> Any:
    return directory.update_staff(ctx.user, staff_id, body)


@route(
    bp,
    "/v1/staff/{staff_id}/handover",
    "POST",
    roles=[Role.supervisor, Role.admin],
    summary="Hand a departed manager's active prospects to a successor of the branch, or to the branch pool "
    "(a departure with successor_id does this at once; repeating it moves nothing twice)",
    body=lambda: directory_models.HandoverIn,
    response=lambda: directory_models.HandoverOut,
    tags=TAGS,
    errors=(404, 422),
)
def hand_over(ctx: Ctx, staff_id: str, body: directory_models.HandoverIn) -> Any:
    return handover.hand_over_by(prospects.deps(), ctx.user, staff_id, body.successor_id, body.reason)


# --- four eyes on privilege (issue 16 §3) ---------------------------------------------------
@route(
    bp,
    "/v1/privilege-requests",
    "POST",
    roles=ADMIN,
    summary="Ask a second admin to approve a privileged " "staff change",
    body=lambda: privilege_models.PrivilegeRequestIn,
    response=lambda: privilege_models.PrivilegeRequestOut,
    status=201,
    tags=TAGS,
    errors=(422,),
)
def request_privilege(ctx: Ctx, body: privilege_models.PrivilegeRequestIn) -> Any:
    return privilege.request(ctx.user, body)


@route(
    bp,
    "/v1/privilege-requests",
    order="oldest first (by requested_at)",
    roles=[Role.admin, Role.compliance],
    summary="Privilege requests by status",
    query=lambda: privilege_models.PrivilegeRequestQuery,
    response=lambda: privilege_models.PrivilegeRequestPage,
    tags=TAGS,
)
def list_privilege_requests(ctx: Ctx, query: privilege_models.PrivilegeRequestQuery) -> Any:
    page = privilege.list_requests(query.status, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: privilege_models.PrivilegeRequestOut.model_validate(i))


@route(
    bp,
    "/v1/privilege-requests/{request_id}/approve",
    "POST",
    roles=ADMIN,
    summary="Approve a privilege " "request (a second admin; never the requester or the member concerned)",
    body=lambda: privilege_models.DecisionIn,
    response=lambda: privilege_models.PrivilegeRequestOut,
    tags=TAGS,
    errors=(403, 404, 409),
)
def approve_privilege(ctx: Ctx, request_id: str, body: privilege_models.DecisionIn) -> Any:
    return privilege.decide(ctx.user, request_id, True, body.reason)


@route(
    bp,
    "/v1/privilege-requests/{request_id}/reject",
    "POST",
    roles=ADMIN,
    summary="Reject a privilege request",
    body=lambda: privilege_models.DecisionIn,
    response=lambda: privilege_models.PrivilegeRequestOut,
    tags=TAGS,
    errors=(403, 404, 409),
)
def reject_privilege(ctx: Ctx, request_id: str, body: privilege_models.DecisionIn) -> Any:
    return privilege.decide(ctx.user, request_id, False, body.reason)


@route(
    bp,
    "/v1/staff-changes",
    order="newest first (by the time of the change)",
    roles=[Role.compliance, Role.admin],
    summary="Every role, branch and status " "change of a month (who, when, before, after, approved by), newest first",
    query=lambda: privilege_models.StaffChangeQuery,
    response=lambda: privilege_models.StaffChangePage,
    tags=TAGS,
)
def list_staff_changes(ctx: Ctx, query: privilege_models.StaffChangeQuery) -> Any:
    page = privilege.list_changes(query.month, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: privilege_models.StaffChangeOut.model_validate(i))


@route(
    bp,
    "/v1/outlets",
    "POST",
    roles=ADMIN,
    summary="Create a partner bank outlet",
    body=lambda: directory_models.OutletIn,
    response=lambda: directory_models.OutletOut,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def create_outlet(ctx: Ctx, body: directory_models.OutletIn) -> Any:
    return directory.create_outlet(body)


@route(
    bp,
    "/v1/outlets",
    order="by outlet_id",
    roles=[Role.admin, Role.supervisor, Role.client_manager],
    summary="List partner outlets (non-admins: own branch)",
    query=lambda: directory_models.OutletQuery,
    response=lambda: directory_models.OutletPage,
    tags=TAGS,
)
def list_outlets(ctx: Ctx, query: directory_models.OutletQuery) -> Any:
    page = directory.list_outlets(ctx.user, query.branch_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: directory_models.OutletOut.model_validate(i))


@route(
    bp,
    "/v1/outlets/{outlet_id}",
    "PATCH",
    roles=ADMIN,
    summary="Update a partner outlet (closing it revokes its API keys at once)",
    body=lambda: directory_models.OutletPatch,
    response=lambda: directory_models.OutletOut,
    tags=TAGS,
)
def update_outlet(ctx: Ctx, outlet_id: str, body: directory_models.OutletPatch) -> Any:
    return directory.update_outlet(outlet_id, body, by=ctx.user.id)
