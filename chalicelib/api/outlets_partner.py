"""Partner outlets: admins manage their API keys; outlets submit and follow their referrals."""

from __future__ import annotations

from chalice import Blueprint

from ..models.common import Role
from .routing import route

bp = Blueprint(__name__)
ADMIN = [Role.admin]
OUTLET = [Role.outlet]


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys",
    "POST",
    roles=ADMIN,
    summary="Issue an outlet API key (shown once; `replaces` for rotation)",
    body="chalicelib.models.prospects:ApiKeyIn",
    response="chalicelib.models.prospects:IssuedApiKey",
    status=201,
    tags=["outlet keys"],
    idempotent=False,
    errors=(404, 409, 422, 503),
)
def issue_api_key(ctx, outlet_id, body):
    from ..domain import outlet_keys

    return outlet_keys.issue(ctx.principal, outlet_id, body)


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys",
    order="oldest first (by created_at)",
    roles=ADMIN,
    summary="An outlet's API keys (never the secrets)",
    response="chalicelib.models.prospects:ApiKeyList",
    tags=["outlet keys"],
    errors=(404,),
)
def list_api_keys(ctx, outlet_id):
    from ..domain import outlet_keys

    return {"items": outlet_keys.list_keys(outlet_id)}


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys/{key_id}/revoke",
    "POST",
    roles=ADMIN,
    summary="Revoke an outlet API key (takes effect at once)",
    response="chalicelib.models.prospects:ApiKeyOut",
    tags=["outlet keys"],
    errors=(404,),
)
def revoke_api_key(ctx, outlet_id, key_id):
    from ..domain import outlet_keys

    return outlet_keys.revoke(ctx.principal, outlet_id, key_id)


@route(
    bp,
    "/v1/partner/referrals",
    "POST",
    roles=OUTLET,
    summary="Refer a prospect (outlet API key)",
    body="chalicelib.models.prospects:ReferralIn",
    response="chalicelib.models.prospects:ReferralOut",
    status=201,
    tags=["partner"],
    errors=(409,),
)
def submit_referral(ctx, body):
    from ..domain.prospects import referrals
    from ..wiring import prospects

    return referrals.register_referral(prospects.deps(), ctx.principal, body)


@route(
    bp,
    "/v1/partner/referrals",
    order="newest first (by created_at)",
    roles=OUTLET,
    summary="The calling outlet's referrals, masked",
    query="chalicelib.models.common:PageQuery",
    response="chalicelib.models.prospects:ReferralPage",
    tags=["partner"],
)
def list_referrals(ctx, query):
    from ..domain.prospects import referrals
    from ..models.prospects import ReferralOut
    from ..wiring import prospects

    page = referrals.list_referrals(prospects.deps(), ctx.principal, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda r: ReferralOut.model_validate(referrals.referral_view(r)).model_dump(mode="json"))


@route(
    bp,
    "/v1/partner/referrals/{referral_id}",
    roles=OUTLET,
    summary="One of the calling outlet's referrals",
    response="chalicelib.models.prospects:ReferralOut",
    tags=["partner"],
)
def get_referral(ctx, referral_id):
    from ..domain.prospects import referrals
    from ..wiring import prospects

    return referrals.get_referral(prospects.deps(), ctx.principal, referral_id)
