"""The outbox's delivery state for operators (admin) and compliance (issue 14 §2)."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
READERS = [Role.admin, Role.compliance]
TAGS = ["outbox"]


def _out(record: dict) -> dict:
    from ..models.outbox import OutboxEntryOut

    return OutboxEntryOut.model_validate(record).model_dump(mode="json")


@route(
    bp,
    "/v1/outbox",
    order="pending and failing: soonest due first; delivered: newest delivery first",
    roles=READERS,
    summary="Outbox entries by state: pending or failing soonest due first, delivered (in a month) newest first",
    query="chalicelib.models.outbox:OutboxQuery",
    response="chalicelib.models.outbox:OutboxPage",
    tags=TAGS,
    errors=(400,),
)
def list_outbox(ctx, query):
    from ..domain import outbox

    page = outbox.list_entries(
        query.status, kind=query.kind, month=query.month, limit=query.limit, start_key=ctx.start_key(query.next_token)
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/outbox/{entry_id}",
    roles=READERS,
    summary="One outbox entry with its attempts and delivery time",
    response="chalicelib.models.outbox:OutboxEntryOut",
    tags=TAGS,
    errors=(404,),
)
def get_outbox_entry(ctx, entry_id):
    from ..domain import outbox

    return _out(outbox.view(entry_id))
