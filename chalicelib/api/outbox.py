"""The outbox's delivery state for operators (admin) and compliance (issue 14 §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import outbox
    from ..models import outbox as outbox_models
else:
    outbox = lazy("chalicelib.domain.outbox")
    outbox_models = lazy("chalicelib.models.outbox")

bp = Blueprint(__name__)
READERS = [Role.admin, Role.compliance]
TAGS = ["outbox"]


def _out(record: dict) -> outbox_models.OutboxEntryOut:
    return outbox_models.OutboxEntryOut.model_validate(record)


@route(
    bp,
    "/v1/outbox",
    order="pending and failing: soonest due first; delivered: newest delivery first",
    roles=READERS,
    summary="Outbox entries by state: pending or failing soonest due first, delivered (in a month) newest first",
    query=lambda: outbox_models.OutboxQuery,
    response=lambda: outbox_models.OutboxPage,
    tags=TAGS,
    errors=(400,),
)
def list_outbox(ctx: Ctx, query: outbox_models.OutboxQuery) -> Any:
    page = outbox.list_entries(
        query.status, kind=query.kind, month=query.month, limit=query.limit, start_key=ctx.start_key(query.next_token)
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/outbox/{entry_id}",
    roles=READERS,
    summary="One outbox entry with its attempts and delivery time",
    response=lambda: outbox_models.OutboxEntryOut,
    tags=TAGS,
    errors=(404,),
)
def get_outbox_entry(ctx: Ctx, entry_id: str) -> Any:
    return _out(outbox.view(entry_id))
