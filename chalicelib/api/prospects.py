"""Intent-client routes: registration, follow-ups, reveal, the pool, collisions, conversions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import conversion
    from ..domain.prospects import ownership, pool, registration, rules
    from ..models import common as common_models
    from ..models import prospects as prospects_models
    from ..models import reports as reports_models
    from ..wiring import prospects
else:
    conversion = lazy("chalicelib.domain.conversion")
    ownership = lazy("chalicelib.domain.prospects.ownership")
    pool = lazy("chalicelib.domain.prospects.pool")
    registration = lazy("chalicelib.domain.prospects.registration")
    rules = lazy("chalicelib.domain.prospects.rules")
    common_models = lazy("chalicelib.models.common")
    prospects_models = lazy("chalicelib.models.prospects")
    reports_models = lazy("chalicelib.models.reports")
    prospects = lazy("chalicelib.wiring.prospects")

bp = Blueprint(__name__)
CM = [Role.client_manager]
MARKETING = [Role.client_manager, Role.supervisor]
TAGS = ["intent clients"]


def _out(record) -> prospects_models.ProspectOut:
    from .. import clock

    return prospects_models.ProspectOut.model_validate(rules.view(record, clock.today()))


@route(
    bp,
    "/v1/prospects",
    "POST",
    roles=CM,
    summary="Register a prospect (first to register owns it)",
    body=lambda: prospects_models.ProspectIn,
    response=lambda: prospects_models.ProspectOut,
    status=201,
    tags=TAGS,
    errors=(409,),
)
def register_prospect(ctx: Ctx, body: prospects_models.ProspectIn) -> Any:
    return registration.register(prospects.deps(), ctx.user, body)


@route(
    bp,
    "/v1/prospects",
    order="soonest next follow-up first",
    roles=MARKETING,
    summary="My prospects, soonest next follow-up first (supervisors: ?owner_id= of their branch)",
    query=lambda: prospects_models.ProspectQuery,
    response=lambda: prospects_models.ProspectPage,
    tags=TAGS,
)
def list_prospects(ctx: Ctx, query: prospects_models.ProspectQuery) -> Any:
    page = ownership.list_prospects(
        prospects.deps(), ctx.user, query.owner_id, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/prospects/pool",
    order="most recently released to the pool first",
    roles=MARKETING,
    summary="The branch pool (公海), masked",
    query=lambda: common_models.PageQuery,
    response=lambda: prospects_models.PoolPage,
    tags=TAGS,
)
def list_pool(ctx: Ctx, query: common_models.PageQuery) -> Any:
    page = pool.list_pool(prospects.deps(), ctx.user, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda r: prospects_models.PoolItem.model_validate(rules.pool_view(r)))


@route(
    bp,
    "/v1/prospects/{prospect_id}",
    roles=MARKETING,
    summary="A prospect (owner, or a supervisor of its branch)",
    response=lambda: prospects_models.ProspectDetail,
    tags=TAGS,
)
def get_prospect(ctx: Ctx, prospect_id: str) -> Any:
    return ownership.get(prospects.deps(), ctx.user, prospect_id)


@route(
    bp,
    "/v1/prospects/{prospect_id}/follow-ups",
    "POST",
    roles=CM,
    summary="Record a follow-up (owner)",
    body=lambda: prospects_models.FollowUpIn,
    response=lambda: prospects_models.FollowUpOut,
    status=201,
    tags=TAGS,
    errors=(409, 422),
)
def add_follow_up(ctx: Ctx, prospect_id: str, body: prospects_models.FollowUpIn) -> Any:
    return ownership.add_follow_up(prospects.deps(), ctx.user, prospect_id, body)


@route(
    bp,
    "/v1/prospects/{prospect_id}/reveal",
    "POST",
    roles=CM,
    summary="Reveal the full phone / ID number (owner; audited)",
    body=lambda: prospects_models.RevealIn,
    response=lambda: prospects_models.RevealOut,
    tags=TAGS,
    idempotent=False,
    errors=(403, 404, 422),
)
def reveal_prospect(ctx: Ctx, prospect_id: str, body: prospects_models.RevealIn) -> Any:
    return ownership.reveal(prospects.deps(), ctx.user, prospect_id, body)


@route(
    bp,
    "/v1/prospects/{prospect_id}/claim",
    "POST",
    roles=CM,
    summary="Claim a prospect from the branch pool",
    response=lambda: prospects_models.ProspectOut,
    tags=TAGS,
    errors=(409, 422),
    replay_by_data=True,
)  # a retried key is answered from the claimed prospect (domain/prospects/pool.py)
def claim_prospect(ctx: Ctx, prospect_id: str) -> Any:
    return pool.claim_from_pool(prospects.deps(), ctx.user, prospect_id)


@route(
    bp,
    "/v1/prospects/{prospect_id}/reassign",
    "POST",
    roles=[Role.supervisor],
    summary="Reassign a prospect to another manager of the branch",
    body=lambda: prospects_models.ReassignIn,
    response=lambda: prospects_models.ProspectOut,
    tags=TAGS,
    errors=(409, 422),
)
def reassign_prospect(ctx: Ctx, prospect_id: str, body: prospects_models.ReassignIn) -> Any:
    return pool.reassign(prospects.deps(), ctx.user, prospect_id, body)


@route(
    bp,
    "/v1/collisions",
    order="newest first (by the time of the collision)",
    roles=[Role.supervisor],
    summary="Collisions (撞单) on the branch's prospects",
    query=lambda: common_models.PageQuery,
    response=lambda: prospects_models.CollisionPage,
    tags=TAGS,
)
def list_collisions(ctx: Ctx, query: common_models.PageQuery) -> Any:
    page = ownership.list_collisions(prospects.deps(), ctx.user, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: prospects_models.CollisionOut.model_validate(i))


@route(
    bp,
    "/v1/reports/conversions",
    roles=[Role.supervisor, Role.admin],
    summary="Conversions in a month per manager and outlet; accounts claimed by several managers",
    query=lambda: prospects_models.MonthQuery,
    response=lambda: reports_models.ConversionReport,
    tags=TAGS,
)
def conversion_report(ctx: Ctx, query: prospects_models.MonthQuery) -> Any:
    return conversion.conversion_report(ctx.user, query.month, query.branch_id)
