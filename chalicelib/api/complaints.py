"""Complaints 投诉: recorded by managers, supervisors, callback agents and partner outlets; handled in hours."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)

RECORDERS = [Role.client_manager, Role.supervisor, Role.callback_agent, Role.outlet]
HANDLERS = [Role.client_manager, Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
SUPERVISOR = [Role.supervisor]
TAGS = ["complaints"]
OUT = "chalicelib.models.complaints:ComplaintOut"


def _out(record: dict) -> dict:
    from ..domain import complaints
    from ..models.complaints import ComplaintOut

    return ComplaintOut.model_validate(complaints.view(record)).model_dump(mode="json")


@route(
    bp,
    "/v1/complaints",
    "POST",
    roles=RECORDERS,
    summary="Record a complaint (owner and the handling clock set by the server)",
    body="chalicelib.models.complaints:ComplaintIn",
    response=OUT,
    status=201,
    tags=TAGS,
    errors=(404, 422),
)
def create_complaint(ctx, body):
    from ..domain import complaints

    return _out(complaints.create(ctx.principal, body))


@route(
    bp,
    "/v1/complaints",
    order="newest first (by received_at)",
    roles=READERS,
    summary="Complaints, newest first (supervisors: their branch; managers: their own; compliance: a branch)",
    query="chalicelib.models.complaints:ComplaintQuery",
    response="chalicelib.models.complaints:ComplaintPage",
    tags=TAGS,
)
def list_complaints(ctx, query):
    from ..domain import complaints

    page = complaints.list_complaints(
        ctx.principal,
        status=query.status,
        overdue=query.overdue,
        branch_id=query.branch_id,
        month=query.month,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/complaints/{complaint_id}",
    roles=READERS,
    summary="A complaint with its clock and history",
    response=OUT,
    tags=TAGS,
    errors=(404,),
)
def get_complaint(ctx, complaint_id):
    from ..domain import complaints

    return _out(complaints.read(ctx.principal, complaint_id))


@route(
    bp,
    "/v1/complaints/{complaint_id}/transition",
    "POST",
    roles=HANDLERS,
    summary="open -> in progress -> resolved (the resolution is required)",
    body="chalicelib.models.complaints:TransitionIn",
    response=OUT,
    tags=TAGS,
    errors=(404, 409, 422),
)
def transition_complaint(ctx, complaint_id, body):
    from ..domain import complaints

    return _out(complaints.transition(ctx.principal, complaint_id, body))


@route(
    bp,
    "/v1/complaints/{complaint_id}/owner",
    "POST",
    roles=SUPERVISOR,
    summary="Reassign a complaint to another client manager of the branch",
    body="chalicelib.models.complaints:OwnerIn",
    response=OUT,
    tags=TAGS,
    errors=(404, 409, 422),
)
def reassign_complaint(ctx, complaint_id, body):
    from ..domain import complaints

    return _out(complaints.reassign(ctx.principal, complaint_id, body.owner_id))


@route(
    bp,
    "/v1/complaints/{complaint_id}/penalty",
    "POST",
    roles=SUPERVISOR,
    summary="Link the CLIENT_COMPLAINT or BANK_COMPLAINT penalty that followed",
    body="chalicelib.models.complaints:PenaltyLinkIn",
    response=OUT,
    tags=TAGS,
    errors=(404, 409, 422),
)
def link_complaint_penalty(ctx, complaint_id, body):
    from ..domain import complaints

    return _out(complaints.link_penalty(ctx.principal, complaint_id, body.penalty_id))
