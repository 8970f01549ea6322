"""Intent-client routes: registration, follow-ups, reveal, the pool, collisions, conversions."""
from __future__ import annotations

from chalice import Blueprint

from ..domain import conversion, prospects
from ..models.common import Role
from ..models.prospects import (CollisionOut, CollisionPage, ConversionReport, FollowUpIn, FollowUpOut, MonthQuery,
                                PageQuery, PoolItem, PoolPage, ProspectDetail, ProspectIn, ProspectOut, ProspectPage,
                                ProspectQuery, ReassignIn, RevealIn, RevealOut)
from .routing import route

bp = Blueprint(__name__)
CM = [Role.client_manager]
MARKETING = [Role.client_manager, Role.supervisor]
TAGS = ["intent clients"]


def _out(item: dict) -> dict:
    return ProspectOut.model_validate(prospects.view(item)).model_dump(mode="json")


@route(bp, "/v1/prospects", "POST", roles=CM, summary="Register a prospect (first to register owns it)",
       body=ProspectIn, response=ProspectOut, status=201, tags=TAGS, errors=(409,))
def register_prospect(ctx, body):
    return prospects.register(ctx.principal, body)


@route(bp, "/v1/prospects", roles=MARKETING,
       summary="My prospects, soonest next follow-up first (supervisors: ?owner_id= of their branch)",
       query=ProspectQuery, response=ProspectPage, tags=TAGS)
def list_prospects(ctx, query):
    page = prospects.list_prospects(ctx.principal, query.owner_id, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, _out)


@route(bp, "/v1/prospects/pool", roles=MARKETING, summary="The branch pool (公海), masked", query=PageQuery,
       response=PoolPage, tags=TAGS)
def list_pool(ctx, query):
    page = prospects.list_pool(ctx.principal, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: PoolItem.model_validate(prospects.pool_view(i)).model_dump(mode="json"))


@route(bp, "/v1/prospects/{prospect_id}", roles=MARKETING, summary="A prospect (owner, or a supervisor of its branch)",
       response=ProspectDetail, tags=TAGS)
def get_prospect(ctx, prospect_id):
    return prospects.get(ctx.principal, prospect_id)


@route(bp, "/v1/prospects/{prospect_id}/follow-ups", "POST", roles=CM, summary="Record a follow-up (owner)",
       body=FollowUpIn, response=FollowUpOut, status=201, tags=TAGS, errors=(409, 422))
def add_follow_up(ctx, prospect_id, body):
    return prospects.add_follow_up(ctx.principal, prospect_id, body)


@route(bp, "/v1/prospects/{prospect_id}/reveal", "POST", roles=CM,
       summary="Reveal the full phone / ID number (owner; audited)", body=RevealIn, response=RevealOut, tags=TAGS,
       idempotent=False, errors=(422,))
def reveal_prospect(ctx, prospect_id, body):
    return prospects.reveal(ctx.principal, prospect_id, body)


@route(bp, "/v1/prospects/{prospect_id}/claim", "POST", roles=CM, summary="Claim a prospect from the branch pool",
       response=ProspectOut, tags=TAGS, errors=(409, 422))
def claim_prospect(ctx, prospect_id):
    return prospects.claim_from_pool(ctx.principal, prospect_id)


@route(bp, "/v1/prospects/{prospect_id}/reassign", "POST", roles=[Role.supervisor],
       summary="Reassign a prospect to another manager of the branch", body=ReassignIn, response=ProspectOut,
       tags=TAGS, errors=(409, 422))
def reassign_prospect(ctx, prospect_id, body):
    return prospects.reassign(ctx.principal, prospect_id, body)


@route(bp, "/v1/collisions", roles=[Role.supervisor], summary="Collisions (撞单) on the branch's prospects",
       query=PageQuery, response=CollisionPage, tags=TAGS)
def list_collisions(ctx, query):
    page = prospects.list_collisions(ctx.principal, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda i: CollisionOut.model_validate(i).model_dump(mode="json"))


@route(bp, "/v1/reports/conversions", roles=[Role.supervisor, Role.admin],
       summary="Conversions in a month per manager and outlet; accounts claimed by several managers",
       query=MonthQuery, response=ConversionReport, tags=TAGS)
def conversion_report(ctx, query):
    return conversion.conversion_report(ctx.principal, query.month, query.branch_id)
