"""Intent-client routes: registration, follow-ups, reveal, the pool, collisions, conversions."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
CM = [Role.client_manager]
MARKETING = [Role.client_manager, Role.supervisor]
TAGS = ["intent clients"]


def _out(record) -> dict:
    from .. import clock
    from ..domain.prospects import rules
    from ..models.prospects import ProspectOut

    return ProspectOut.model_validate(rules.view(record, clock.today())).model_dump(mode="json")


@route(
    bp,
    "/v1/prospects",
    "POST",
    roles=CM,
    summary="Register a prospect (first to register owns it)",
    body="chalicelib.models.prospects:ProspectIn",
    response="chalicelib.models.prospects:ProspectOut",
    status=201,
    tags=TAGS,
    errors=(409,),
)
def register_prospect(ctx, body):
    from ..domain.prospects import registration
    from ..wiring import prospects

    return registration.register(prospects.deps(), ctx.principal, body)


@route(
    bp,
    "/v1/prospects",
    order="soonest next follow-up first",
    roles=MARKETING,
    summary="My prospects, soonest next follow-up first (supervisors: ?owner_id= of their branch)",
    query="chalicelib.models.prospects:ProspectQuery",
    response="chalicelib.models.prospects:ProspectPage",
    tags=TAGS,
)
def list_prospects(ctx, query):
    from ..domain.prospects import ownership
    from ..wiring import prospects

    page = ownership.list_prospects(
        prospects.deps(), ctx.principal, query.owner_id, query.limit, ctx.start_key(query.next_token)
    )
    return ctx.page(page, _out)


@route(
    bp,
    "/v1/prospects/pool",
    order="most recently released to the pool first",
    roles=MARKETING,
    summary="The branch pool (公海), masked",
    query="chalicelib.models.common:PageQuery",
    response="chalicelib.models.prospects:PoolPage",
    tags=TAGS,
)
def list_pool(ctx, query):
    from ..domain.prospects import pool, rules
    from ..models.prospects import PoolItem
    from ..wiring import prospects

    page = pool.list_pool(prospects.deps(), ctx.principal, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda r: PoolItem.model_validate(rules.pool_view(r)).model_dump(mode="json"))


@route(
    bp,
    "/v1/prospects/{prospect_id}",
    roles=MARKETING,
    summary="A prospect (owner, or a supervisor of its branch)",
    response="chalicelib.models.prospects:ProspectDetail",
    tags=TAGS,
)
def get_prospect(ctx, prospect_id):
    from ..domain.prospects import ownership
    from ..wiring import prospects

    return ownership.get(prospects.deps(), ctx.principal, prospect_id)


@route(
    bp,
    "/v1/prospects/{prospect_id}/follow-ups",
    "POST",
    roles=CM,
    summary="Record a follow-up (owner)",
    body="chalicelib.models.prospects:FollowUpIn",
    response="chalicelib.models.prospects:FollowUpOut",
    status=201,
    tags=TAGS,
    errors=(409, 422),
)
def add_follow_up(ctx, prospect_id, body):
    from ..domain.prospects import ownership
    from ..wiring import prospects

    return ownership.add_follow_up(prospects.deps(), ctx.principal, prospect_id, body)


@route(
    bp,
    "/v1/prospects/{prospect_id}/reveal",
    "POST",
    roles=CM,
    summary="Reveal the full phone / ID number (owner; audited)",
    body="chalicelib.models.prospects:RevealIn",
    response="chalicelib.models.prospects:RevealOut",
    tags=TAGS,
    idempotent=False,
    errors=(403, 404, 422),
)
def reveal_prospect(ctx, prospect_id, body):
    from ..domain.prospects import ownership
    from ..wiring import prospects

    return ownership.reveal(prospects.deps(), ctx.principal, prospect_id, body)


@route(
    bp,
    "/v1/prospects/{prospect_id}/claim",
    "POST",
    roles=CM,
    summary="Claim a prospect from the branch pool",
    response="chalicelib.models.prospects:ProspectOut",
    tags=TAGS,
    errors=(409, 422),
    replay_by_data=True,
)  # a retried key is answered from the claimed prospect (domain/prospects/pool.py)
def claim_prospect(ctx, prospect_id):
    from ..domain.prospects import pool
    from ..wiring import prospects

    return pool.claim_from_pool(prospects.deps(), ctx.principal, prospect_id)


@route(
    bp,
    "/v1/prospects/{prospect_id}/reassign",
    "POST",
    roles=[Role.supervisor],
    summary="Reassign a prospect to another manager of the branch",
    body="chalicelib.models.prospects:ReassignIn",
    response="chalicelib.models.prospects:ProspectOut",
    tags=TAGS,
    errors=(409, 422),
)
def reassign_prospect(ctx, prospect_id, body):
    from ..domain.prospects import pool
    from ..wiring import prospects

    return pool.reassign(prospects.deps(), ctx.principal, prospect_id, body)


@route(
    bp,
    "/v1/collisions",
    order="newest first (by the time of the collision)",
    roles=[Role.supervisor],
    summary="Collisions (撞单) on the branch's prospects",
    query="chalicelib.models.common:PageQuery",
    response="chalicelib.models.prospects:CollisionPage",
    tags=TAGS,
)
def list_collisions(ctx, query):
    from ..domain.prospects import ownership
    from ..models.prospects import CollisionOut
    from ..wiring import prospects

    page = ownership.list_collisions(prospects.deps(), ctx.principal, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: CollisionOut.model_validate(i).model_dump(mode="json"))


@route(
    bp,
    "/v1/reports/conversions",
    roles=[Role.supervisor, Role.admin],
    summary="Conversions in a month per manager and outlet; accounts claimed by several managers",
    query="chalicelib.models.prospects:MonthQuery",
    response="chalicelib.models.prospects:ConversionReport",
    tags=TAGS,
)
def conversion_report(ctx, query):
    from ..domain import conversion

    return conversion.conversion_report(ctx.principal, query.month, query.branch_id)
