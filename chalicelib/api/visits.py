"""Visit and work log routes for client managers and their supervisors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import contact_plan, visits
    from ..models import contact_plan as contact_plan_models
    from ..models import disclosure as disclosure_models
    from ..models import visits as visits_models
else:
    contact_plan = lazy("chalicelib.domain.contact_plan")
    visits = lazy("chalicelib.domain.visits")
    contact_plan_models = lazy("chalicelib.models.contact_plan")
    disclosure_models = lazy("chalicelib.models.disclosure")
    visits_models = lazy("chalicelib.models.visits")

bp = Blueprint(__name__)
TAGS = ["visits"]
MANAGER = [Role.client_manager]
READERS = [Role.client_manager, Role.supervisor, Role.compliance]


def _out(record: dict) -> visits_models.VisitOut:
    return visits_models.VisitOut.model_validate(record)


@route(
    bp,
    "/v1/visits",
    "POST",
    roles=MANAGER,
    summary="Record a visit or contact",
    body=lambda: visits_models.VisitIn,
    response=lambda: visits_models.VisitOut,
    status=201,
    tags=TAGS,
)
def record_visit(ctx: Ctx, body: visits_models.VisitIn) -> Any:
    return visits.record_visit(ctx.user, body)


@route(
    bp,
    "/v1/visits",
    order="newest first (by visited_at)",
    roles=READERS,
    summary="List visit logs, newest first (managers: own; " "supervisors: branch, optionally one manager)",
    query=lambda: visits_models.VisitQuery,
    response=lambda: visits_models.VisitPage,
    tags=TAGS,
)
def list_visits(ctx: Ctx, query: visits_models.VisitQuery) -> Any:
    return ctx.page(visits.list_visits(ctx.user, query, ctx.start_key(query.next_token)), _out)


@route(
    bp,
    "/v1/visits/activity",
    roles=READERS,
    summary="Daily and weekly activity against the quotas",
    query=lambda: visits_models.ActivityQuery,
    response=lambda: visits_models.Activity,
    tags=TAGS,
)
def visit_activity(ctx: Ctx, query: visits_models.ActivityQuery) -> Any:
    return visits.activity(ctx.user, query)


@route(
    bp,
    "/v1/visits/signoffs",
    "POST",
    roles=[Role.supervisor],
    summary="Sign off a manager's week",
    body=lambda: visits_models.SignoffIn,
    response=lambda: visits_models.SignoffOut,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def sign_week(ctx: Ctx, body: visits_models.SignoffIn) -> Any:
    return visits.sign_week(ctx.user, body)


@route(
    bp,
    "/v1/visits/{visit_id}/late-approval",
    "POST",
    roles=[Role.supervisor],
    summary="Approve or reject a late log (older than the recording window, or in a signed-off week)",
    body=lambda: visits_models.LateApprovalIn,
    response=lambda: visits_models.VisitOut,
    tags=TAGS,
    errors=(404, 409),
)
def decide_late(ctx: Ctx, visit_id: str, body: visits_models.LateApprovalIn) -> Any:
    return visits.decide_late(ctx.user, visit_id, body)


@route(
    bp,
    "/v1/visits/photos",
    "POST",
    roles=MANAGER,
    summary="Get a presigned upload for a visit photo",
    body=lambda: visits_models.PhotoUploadIn,
    response=lambda: visits_models.PhotoUploadOut,
    status=201,
    tags=TAGS,
    errors=(413,),
)
def photo_upload(ctx: Ctx, body: visits_models.PhotoUploadIn) -> Any:
    return visits.photo_upload(ctx.user, body)


@route(
    bp,
    "/v1/visits/{visit_id}",
    roles=READERS,
    summary="Get a visit log with notes and photo links",
    response=lambda: visits_models.VisitOut,
    tags=TAGS,
)
def get_visit(ctx: Ctx, visit_id: str) -> Any:
    return visits.read_visit(ctx.user, visit_id)


@route(
    bp,
    "/v1/visits/{visit_id}/versions",
    roles=READERS,
    summary="The versions of a visit log before its same-day amendments, oldest first",
    response=lambda: visits_models.VisitVersions,
    tags=TAGS,
)
def visit_versions(ctx: Ctx, visit_id: str) -> Any:
    return visits.visit_versions(ctx.user, visit_id)


@route(
    bp,
    "/v1/visits/{visit_id}",
    "PATCH",
    roles=MANAGER,
    summary="Amend your log on the day you wrote it",
    body=lambda: visits_models.VisitPatch,
    response=lambda: visits_models.VisitOut,
    tags=TAGS,
    errors=(409, 422),
)
def amend_visit(ctx: Ctx, visit_id: str, body: visits_models.VisitPatch) -> Any:
    return visits.amend_visit(ctx.user, visit_id, body)


@route(
    bp,
    "/v1/visits/{visit_id}/notes",
    "POST",
    roles=MANAGER,
    summary="Append a correction note",
    body=lambda: visits_models.NoteIn,
    response=lambda: visits_models.NoteOut,
    status=201,
    tags=TAGS,
    errors=(422,),
)
def add_note(ctx: Ctx, visit_id: str, body: visits_models.NoteIn) -> Any:
    return visits.add_note(ctx.user, visit_id, body)


@route(
    bp,
    "/v1/visits/{visit_id}/reveal",
    "POST",
    roles=READERS,
    summary="Show the full contact of the person met to the manager who logged it, or to compliance with a "
    "case (every attempt audited)",
    body=lambda: disclosure_models.RevealRequest,
    response=lambda: visits_models.RevealOut,
    tags=TAGS,
    errors=(403, 404),
    idempotent=False,
)  # a clear number must never be stored in the idempotency table
def reveal_contact(ctx: Ctx, visit_id: str, body: disclosure_models.RevealRequest) -> Any:
    return visits.reveal_contact(ctx.user, visit_id, body)


@route(
    bp,
    "/v1/contact-plan",
    order="overdue first, then due, met, no duty (the worse of phone and visit); then value class A before B; "
    "then account_id",
    roles=[Role.client_manager, Role.supervisor],
    summary="A manager's A and B clients due a contact this week or a visit this period, overdue first "
    "(002 第十九条; managers: their own, supervisors: a manager of their branch)",
    query=lambda: contact_plan_models.ContactPlanQuery,
    response=lambda: contact_plan_models.ContactPlanOut,
    tags=TAGS,
    errors=(404,),
)
def get_contact_plan(ctx: Ctx, query: contact_plan_models.ContactPlanQuery) -> Any:
    plan = contact_plan.plan(ctx.user, query.manager_id, query.on)
    return contact_plan_models.ContactPlanOut.model_validate(plan)
