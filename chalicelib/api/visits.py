"""Visit and work log routes for client managers and their supervisors."""
from __future__ import annotations

from chalice import Blueprint

from ..domain import visits
from ..models.common import Role
from ..models.visits import (Activity, ActivityQuery, NoteIn, PhotoUploadIn, PhotoUploadOut, RevealIn, RevealOut,
                             SignoffIn, SignoffOut, VisitIn, VisitOut, VisitPage, VisitPatch, VisitQuery)
from .routing import route

bp = Blueprint(__name__)
TAGS = ["visits"]
MANAGER = [Role.client_manager]
READERS = [Role.client_manager, Role.supervisor, Role.compliance]


def _out(record: dict) -> dict:
    return VisitOut.model_validate(record).model_dump(mode="json")


@route(bp, "/v1/visits", "POST", roles=MANAGER, summary="Record a visit or contact", body=VisitIn,
       response=VisitOut, status=201, tags=TAGS)
def record_visit(ctx, body):
    return visits.record_visit(ctx.principal, body)


@route(bp, "/v1/visits", roles=READERS, summary="List visit logs, newest first (managers: own; "
       "supervisors: branch, optionally one manager)", query=VisitQuery, response=VisitPage, tags=TAGS)
def list_visits(ctx, query):
    return ctx.page(visits.list_visits(ctx.principal, query, ctx.start_key(query.next_token)), _out)


@route(bp, "/v1/visits/activity", roles=READERS, summary="Daily and weekly activity against the quotas",
       query=ActivityQuery, response=Activity, tags=TAGS)
def visit_activity(ctx, query):
    return visits.activity(ctx.principal, query)


@route(bp, "/v1/visits/signoffs", "POST", roles=[Role.supervisor], summary="Sign off a manager's week",
       body=SignoffIn, response=SignoffOut, status=201, tags=TAGS, errors=(409,))
def sign_week(ctx, body):
    return visits.sign_week(ctx.principal, body)


@route(bp, "/v1/visits/photos", "POST", roles=MANAGER, summary="Get a presigned upload for a visit photo",
       body=PhotoUploadIn, response=PhotoUploadOut, status=201, tags=TAGS, errors=(413,))
def photo_upload(ctx, body):
    return visits.photo_upload(ctx.principal, body)


@route(bp, "/v1/visits/{visit_id}", roles=READERS, summary="Get a visit log with notes and photo links",
       response=VisitOut, tags=TAGS)
def get_visit(ctx, visit_id):
    return visits.read_visit(ctx.principal, visit_id)


@route(bp, "/v1/visits/{visit_id}", "PATCH", roles=MANAGER, summary="Amend your log on the day you wrote it",
       body=VisitPatch, response=VisitOut, tags=TAGS, errors=(409, 422))
def amend_visit(ctx, visit_id, body):
    return visits.amend_visit(ctx.principal, visit_id, body)


@route(bp, "/v1/visits/{visit_id}/notes", "POST", roles=MANAGER, summary="Append a correction note",
       body=NoteIn, status=201, tags=TAGS, errors=(422,))
def add_note(ctx, visit_id, body):
    return visits.add_note(ctx.principal, visit_id, body)


@route(bp, "/v1/visits/{visit_id}/reveal", "POST", roles=READERS,
       summary="Show the full contact of the person met (audited)", body=RevealIn, response=RevealOut, tags=TAGS,
       idempotent=False)  # a clear number must never be stored in the idempotency table
def reveal_contact(ctx, visit_id, body):
    return visits.reveal_contact(ctx.principal, visit_id, body.purpose)
