"""Complaints 投诉: recorded by managers, supervisors, callback agents and partner outlets; handled in hours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import complaints
    from ..models import complaints as complaints_models
else:
    complaints = lazy("chalicelib.domain.complaints")
    complaints_models = lazy("chalicelib.models.complaints")

bp = Blueprint(__name__)

RECORDERS = [Role.client_manager, Role.supervisor, Role.callback_agent, Role.outlet]
HANDLERS = [Role.client_manager, Role.supervisor]
READERS = [Role.client_manager, Role.supervisor, Role.compliance, Role.admin]
SUPERVISOR = [Role.supervisor]
TAGS = ["complaints"]


def _out(record: dict) -> complaints_models.ComplaintOut:
    return complaints_models.ComplaintOut.model_validate(complaints.view(record))


@route(
    bp,
    "/v1/complaints",
    "POST",
    roles=RECORDERS,
    summary="Record a complaint (owner and the handling clock set by the server)",
    body=lambda: complaints_models.ComplaintIn,
    response=lambda: complaints_models.ComplaintOut,
    status=201,
    tags=TAGS,
    errors=(404, 422),
)
def create_complaint(ctx: Ctx, body: complaints_models.ComplaintIn) -> Any:
    return _out(complaints.create(ctx.user, body))


@route(
    bp,
    "/v1/complaints",
    order="newest first (by received_at)",
    roles=READERS,
    summary="Complaints, newest first (supervisors: their branch; managers: their own; compliance: a branch)",
    query=lambda: complaints_models.ComplaintQuery,
    response=lambda: complaints_models.ComplaintPage,
    tags=TAGS,
)
def list_complaints(ctx: Ctx, query: complaints_models.ComplaintQuery) -> Any:
    page = complaints.list_complaints(
        ctx.user,
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
    response=lambda: complaints_models.ComplaintOut,
    tags=TAGS,
    errors=(404,),
)
def get_complaint(ctx: Ctx, complaint_id: str) -> Any:
    return _out(complaints.read(ctx.user, complaint_id))


@route(
    bp,
    "/v1/complaints/{complaint_id}/transition",
    "POST",
    roles=HANDLERS,
    summary="open -> in progress -> resolved (the resolution is required)",
    body=lambda: complaints_models.TransitionIn,
    response=lambda: complaints_models.ComplaintOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def transition_complaint(ctx: Ctx, complaint_id: str, body: complaints_models.TransitionIn) -> Any:
    return _out(complaints.transition(ctx.user, complaint_id, body))


@route(
    bp,
    "/v1/complaints/{complaint_id}/owner",
    "POST",
    roles=SUPERVISOR,
    summary="Reassign a complaint to another client manager of the branch",
    body=lambda: complaints_models.OwnerIn,
    response=lambda: complaints_models.ComplaintOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def reassign_complaint(ctx: Ctx, complaint_id: str, body: complaints_models.OwnerIn) -> Any:
    return _out(complaints.reassign(ctx.user, complaint_id, body.owner_id))


@route(
    bp,
    "/v1/complaints/{complaint_id}/penalty",
    "POST",
    roles=SUPERVISOR,
    summary="Link the CLIENT_COMPLAINT or BANK_COMPLAINT penalty that followed",
    body=lambda: complaints_models.PenaltyLinkIn,
    response=lambda: complaints_models.ComplaintOut,
    tags=TAGS,
    errors=(404, 409, 422),
)
def link_complaint_penalty(ctx: Ctx, complaint_id: str, body: complaints_models.PenaltyLinkIn) -> Any:
    return _out(complaints.link_penalty(ctx.user, complaint_id, body.penalty_id))
