"""Compliance: the disclosure audit (who revealed whose phone or ID number, when, why)."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)


@route(
    bp,
    "/v1/audit/reveals",
    order="newest first (by the time of the reveal attempt)",
    roles=[Role.compliance],
    summary="Reveal audit records of a month, newest first",
    query="chalicelib.models.prospects:AuditQuery",
    response="chalicelib.models.prospects:AuditPage",
    tags=["compliance"],
)
def list_reveals(ctx, query):
    from ..domain import disclosure
    from ..models.prospects import AuditRecordOut

    page = disclosure.list_reveals(query.month, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: AuditRecordOut.model_validate(i).model_dump(mode="json"))
