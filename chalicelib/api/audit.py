"""Compliance: the disclosure audit (who revealed whose phone or ID number, when, why)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import disclosure
    from ..models import disclosure as disclosure_models
else:
    disclosure = lazy("chalicelib.domain.disclosure")
    disclosure_models = lazy("chalicelib.models.disclosure")

bp = Blueprint(__name__)


@route(
    bp,
    "/v1/audit/reveals",
    order="newest first (by the time of the reveal attempt)",
    roles=[Role.compliance],
    summary="Reveal audit records of a month, newest first",
    query=lambda: disclosure_models.AuditQuery,
    response=lambda: disclosure_models.AuditPage,
    tags=["compliance"],
)
def list_reveals(ctx: Ctx, query: disclosure_models.AuditQuery) -> Any:
    page = disclosure.list_reveals(query.month, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: disclosure_models.AuditRecordOut.model_validate(i))


@route(
    bp,
    "/v1/audit/reveals/search",
    order="newest first (by the time of the reveal attempt), across months",
    roles=[Role.compliance, Role.admin],
    summary="Search the reveal audit by person (staff id), client (account or prospect id) and days",
    query=lambda: disclosure_models.AuditSearchQuery,
    response=lambda: disclosure_models.AuditPage,
    tags=["compliance"],
    errors=(400,),
)
def search_reveals(ctx: Ctx, query: disclosure_models.AuditSearchQuery) -> Any:
    page = disclosure.search_reveals(
        actor_id=query.actor_id,
        subject_kind=query.subject_kind,
        subject_id=query.subject_id,
        since=query.date_from,
        until=query.date_to,
        limit=query.limit,
        start_key=ctx.start_key(query.next_token),
    )
    return ctx.page(page, lambda i: disclosure_models.AuditRecordOut.model_validate(i))
