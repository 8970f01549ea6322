"""Staff and partner outlet directory routes."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
ADMIN = [Role.admin]
TAGS = ["directory"]


@route(
    bp,
    "/v1/me",
    roles=[r for r in Role if r is not Role.outlet],
    summary="The caller's staff record",
    response="chalicelib.models.directory:StaffOut",
    tags=TAGS,
)
def me(ctx):
    from ..domain import directory

    return directory.get_staff_record(ctx.principal.id)


@route(
    bp,
    "/v1/staff",
    "POST",
    roles=ADMIN,
    summary="Create a staff member (admin and compliance members: " "through a privilege request)",
    body="chalicelib.models.directory:StaffIn",
    response="chalicelib.models.directory:StaffOut",
    status=201,
    tags=TAGS,
    errors=(403, 409),
)
def create_staff(ctx, body):
    from ..domain import directory

    return directory.create_staff(ctx.principal, body)


@route(
    bp,
    "/v1/staff",
    order="a branch's staff by role, then staff_id; all staff (admins without branch_id) by staff_id",
    roles=[Role.admin, Role.supervisor],
    summary="List staff (supervisors: own branch)",
    query="chalicelib.models.directory:StaffQuery",
    response="chalicelib.models.directory:StaffPage",
    tags=TAGS,
)
def list_staff(ctx, query):
    from ..domain import directory
    from ..models.directory import StaffOut

    page = directory.list_staff(
        ctx.principal, query.branch_id, query.role, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, lambda i: StaffOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/staff/{staff_id}",
    roles=[Role.admin, Role.supervisor],
    summary="Get a staff member",
    response="chalicelib.models.directory:StaffOut",
    tags=TAGS,
)
def get_staff(ctx, staff_id):
    from ..domain import directory

    return directory.read_staff(ctx.principal, staff_id)


@route(
    bp,
    "/v1/staff/{staff_id}",
    "PATCH",
    roles=ADMIN,
    summary="Update or depart a staff member (granting "
    "admin or compliance, or changing one's own role or branch: through a privilege request)",
    body="chalicelib.models.directory:StaffPatch",
    response="chalicelib.models.directory:StaffOut",
    tags=TAGS,
    errors=(403, 404, 409),
)
def update_staff(ctx, staff_id, body):
    from ..domain import directory

    return directory.update_staff(ctx.principal, staff_id, body)


@route(
    bp,
    "/v1/staff/{staff_id}/handover",
    "POST",
    roles=[Role.supervisor, Role.admin],
    summary="Hand a departed manager's active prospects to a successor of the branch, or to the branch pool "
    "(a departure with successor_id does this at once; repeating it moves nothing twice)",
    body="chalicelib.models.directory:HandoverIn",
    response="chalicelib.models.directory:HandoverOut",
    tags=TAGS,
    errors=(404, 422),
)
def hand_over(ctx, staff_id, body):
    from ..domain.prospects import handover
    from ..wiring import prospects

    return handover.hand_over_by(prospects.deps(), ctx.principal, staff_id, body.successor_id, body.reason)


# --- four eyes on privilege (issue 16 §3) ---------------------------------------------------
@route(
    bp,
    "/v1/privilege-requests",
    "POST",
    roles=ADMIN,
    summary="Ask a second admin to approve a privileged " "staff change",
    body="chalicelib.models.privilege:PrivilegeRequestIn",
    response="chalicelib.models.privilege:PrivilegeRequestOut",
    status=201,
    tags=TAGS,
    errors=(422,),
)
def request_privilege(ctx, body):
    from ..domain import privilege

    return privilege.request(ctx.principal, body)


@route(
    bp,
    "/v1/privilege-requests",
    order="oldest first (by requested_at)",
    roles=[Role.admin, Role.compliance],
    summary="Privilege requests by status",
    query="chalicelib.models.privilege:PrivilegeRequestQuery",
    response="chalicelib.models.privilege:PrivilegeRequestPage",
    tags=TAGS,
)
def list_privilege_requests(ctx, query):
    from ..domain import privilege
    from ..models.privilege import PrivilegeRequestOut

    page = privilege.list_requests(query.status, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: PrivilegeRequestOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/privilege-requests/{request_id}/approve",
    "POST",
    roles=ADMIN,
    summary="Approve a privilege " "request (a second admin; never the requester or the member concerned)",
    body="chalicelib.models.privilege:DecisionIn",
    response="chalicelib.models.privilege:PrivilegeRequestOut",
    tags=TAGS,
    errors=(403, 404, 409),
)
def approve_privilege(ctx, request_id, body):
    from ..domain import privilege

    return privilege.decide(ctx.principal, request_id, True, body.reason)


@route(
    bp,
    "/v1/privilege-requests/{request_id}/reject",
    "POST",
    roles=ADMIN,
    summary="Reject a privilege request",
    body="chalicelib.models.privilege:DecisionIn",
    response="chalicelib.models.privilege:PrivilegeRequestOut",
    tags=TAGS,
    errors=(403, 404, 409),
)
def reject_privilege(ctx, request_id, body):
    from ..domain import privilege

    return privilege.decide(ctx.principal, request_id, False, body.reason)


@route(
    bp,
    "/v1/staff-changes",
    order="newest first (by the time of the change)",
    roles=[Role.compliance, Role.admin],
    summary="Every role, branch and status " "change of a month (who, when, before, after, approved by), newest first",
    query="chalicelib.models.privilege:StaffChangeQuery",
    response="chalicelib.models.privilege:StaffChangePage",
    tags=TAGS,
)
def list_staff_changes(ctx, query):
    from ..domain import privilege
    from ..models.privilege import StaffChangeOut

    page = privilege.list_changes(query.month, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: StaffChangeOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/outlets",
    "POST",
    roles=ADMIN,
    summary="Create a partner bank outlet",
    body="chalicelib.models.directory:OutletIn",
    response="chalicelib.models.directory:OutletOut",
    status=201,
    tags=TAGS,
    errors=(409,),
)
def create_outlet(ctx, body):
    from ..domain import directory

    return directory.create_outlet(body)


@route(
    bp,
    "/v1/outlets",
    order="by outlet_id",
    roles=[Role.admin, Role.supervisor, Role.client_manager],
    summary="List partner outlets (non-admins: own branch)",
    query="chalicelib.models.directory:OutletQuery",
    response="chalicelib.models.directory:OutletPage",
    tags=TAGS,
)
def list_outlets(ctx, query):
    from ..domain import directory
    from ..models.directory import OutletOut

    page = directory.list_outlets(ctx.principal, query.branch_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: OutletOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/outlets/{outlet_id}",
    "PATCH",
    roles=ADMIN,
    summary="Update a partner outlet (closing it revokes its API keys at once)",
    body="chalicelib.models.directory:OutletPatch",
    response="chalicelib.models.directory:OutletOut",
    tags=TAGS,
)
def update_outlet(ctx, outlet_id, body):
    from ..domain import directory

    return directory.update_outlet(outlet_id, body, by=ctx.principal.id)
