"""Visit and work log routes for client managers and their supervisors."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
TAGS = ["visits"]
MANAGER = [Role.client_manager]
READERS = [Role.client_manager, Role.supervisor, Role.compliance]


def _out(record: dict) -> dict:
    from ..models.visits import VisitOut

    return VisitOut.model_validate(record).model_dump(mode="json")


@route(
    bp,
    "/v1/visits",
    "POST",
    roles=MANAGER,
    summary="Record a visit or contact",
    body="chalicelib.models.visits:VisitIn",
    response="chalicelib.models.visits:VisitOut",
    status=201,
    tags=TAGS,
)
def record_visit(ctx, body):
    from ..domain import visits

    return visits.record_visit(ctx.principal, body)


@route(
    bp,
    "/v1/visits",
    order="newest first (by visited_at)",
    roles=READERS,
    summary="List visit logs, newest first (managers: own; " "supervisors: branch, optionally one manager)",
    query="chalicelib.models.visits:VisitQuery",
    response="chalicelib.models.visits:VisitPage",
    tags=TAGS,
)
def list_visits(ctx, query):
    from ..domain import visits

    return ctx.page(visits.list_visits(ctx.principal, query, ctx.start_key(query.next_token)), _out)


@route(
    bp,
    "/v1/visits/activity",
    roles=READERS,
    summary="Daily and weekly activity against the quotas",
    query="chalicelib.models.visits:ActivityQuery",
    response="chalicelib.models.visits:Activity",
    tags=TAGS,
)
def visit_activity(ctx, query):
    from ..domain import visits

    return visits.activity(ctx.principal, query)


@route(
    bp,
    "/v1/visits/signoffs",
    "POST",
    roles=[Role.supervisor],
    summary="Sign off a manager's week",
    body="chalicelib.models.visits:SignoffIn",
    response="chalicelib.models.visits:SignoffOut",
    status=201,
    tags=TAGS,
    errors=(409,),
)
def sign_week(ctx, body):
    from ..domain import visits

    return visits.sign_week(ctx.principal, body)


@route(
    bp,
    "/v1/visits/{visit_id}/late-approval",
    "POST",
    roles=[Role.supervisor],
    summary="Approve or reject a late log (older than the recording window, or in a signed-off week)",
    body="chalicelib.models.visits:LateApprovalIn",
    response="chalicelib.models.visits:VisitOut",
    tags=TAGS,
    errors=(404, 409),
)
def decide_late(ctx, visit_id, body):
    from ..domain import visits

    return visits.decide_late(ctx.principal, visit_id, body)


@route(
    bp,
    "/v1/visits/photos",
    "POST",
    roles=MANAGER,
    summary="Get a presigned upload for a visit photo",
    body="chalicelib.models.visits:PhotoUploadIn",
    response="chalicelib.models.visits:PhotoUploadOut",
    status=201,
    tags=TAGS,
    errors=(413,),
)
def photo_upload(ctx, body):
    from ..domain import visits

    return visits.photo_upload(ctx.principal, body)


@route(
    bp,
    "/v1/visits/{visit_id}",
    roles=READERS,
    summary="Get a visit log with notes and photo links",
    response="chalicelib.models.visits:VisitOut",
    tags=TAGS,
)
def get_visit(ctx, visit_id):
    from ..domain import visits

    return visits.read_visit(ctx.principal, visit_id)


@route(
    bp,
    "/v1/visits/{visit_id}/versions",
    roles=READERS,
    summary="The versions of a visit log before its same-day amendments, oldest first",
    response="chalicelib.models.visits:VisitVersions",
    tags=TAGS,
)
def visit_versions(ctx, visit_id):
    from ..domain import visits

    return visits.visit_versions(ctx.principal, visit_id)


@route(
    bp,
    "/v1/visits/{visit_id}",
    "PATCH",
    roles=MANAGER,
    summary="Amend your log on the day you wrote it",
    body="chalicelib.models.visits:VisitPatch",
    response="chalicelib.models.visits:VisitOut",
    tags=TAGS,
    errors=(409, 422),
)
def amend_visit(ctx, visit_id, body):
    from ..domain import visits

    return visits.amend_visit(ctx.principal, visit_id, body)


@route(
    bp,
    "/v1/visits/{visit_id}/notes",
    "POST",
    roles=MANAGER,
    summary="Append a correction note",
    body="chalicelib.models.visits:NoteIn",
    response="chalicelib.models.visits:NoteOut",
    status=201,
    tags=TAGS,
    errors=(422,),
)
def add_note(ctx, visit_id, body):
    from ..domain import visits

    return visits.add_note(ctx.principal, visit_id, body)


@route(
    bp,
    "/v1/visits/{visit_id}/reveal",
    "POST",
    roles=READERS,
    summary="Show the full contact of the person met to the manager who logged it, or to compliance with a "
    "case (every attempt audited)",
    body="chalicelib.models.disclosure:RevealRequest",
    response="chalicelib.models.visits:RevealOut",
    tags=TAGS,
    errors=(403, 404),
    idempotent=False,
)  # a clear number must never be stored in the idempotency table
def reveal_contact(ctx, visit_id, body):
    from ..domain import visits

    return visits.reveal_contact(ctx.principal, visit_id, body)


@route(
    bp,
    "/v1/contact-plan",
    order="overdue first, then due, met, no duty (the worse of phone and visit); then value class A before B; "
    "then account_id",
    roles=[Role.client_manager, Role.supervisor],
    summary="A manager's A and B clients due a contact this week or a visit this period, overdue first "
    "(002 第十九条; managers: their own, supervisors: a manager of their branch)",
    query="chalicelib.models.contact_plan:ContactPlanQuery",
    response="chalicelib.models.contact_plan:ContactPlanOut",
    tags=TAGS,
    errors=(404,),
)
def get_contact_plan(ctx, query):
    from ..domain import contact_plan
    from ..models.contact_plan import ContactPlanOut

    plan = contact_plan.plan(ctx.principal, query.manager_id, query.on)
    return ContactPlanOut.model_validate(plan).model_dump(mode="json")
