"""Partner outlets: admins manage their API keys; outlets submit and follow their referrals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from ..lazy import lazy
from ..models.common import Role
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import outlet_keys
    from ..domain.prospects import referrals
    from ..models import common as common_models
    from ..models import outlet_keys as key_models
    from ..models import prospects as prospects_models
    from ..wiring import prospects
else:
    outlet_keys = lazy("chalicelib.domain.outlet_keys")
    referrals = lazy("chalicelib.domain.prospects.referrals")
    common_models = lazy("chalicelib.models.common")
    key_models = lazy("chalicelib.models.outlet_keys")
    prospects_models = lazy("chalicelib.models.prospects")
    prospects = lazy("chalicelib.wiring.prospects")

bp = Blueprint(__name__)
ADMIN = [Role.admin]
OUTLET = [Role.outlet]


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys",
    "POST",
    roles=ADMIN,
    summary="Issue an outlet API key (shown once; `replaces` for rotation)",
    body=lambda: key_models.ApiKeyIn,
    response=lambda: key_models.IssuedApiKey,
    status=201,
    tags=["outlet keys"],
    idempotent=False,
    errors=(404, 409, 422, 503),
)
def issue_api_key(ctx: Ctx, outlet_id: str, body: key_models.ApiKeyIn) -> Any:
    return outlet_keys.issue(ctx.user, outlet_id, body)


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys",
    order="oldest first (by created_at)",
    roles=ADMIN,
    summary="An outlet's API keys (never the secrets)",
    response=lambda: key_models.ApiKeyList,
    tags=["outlet keys"],
    errors=(404,),
)
def list_api_keys(ctx: Ctx, outlet_id: str) -> Any:
    return {"items": outlet_keys.list_keys(outlet_id)}


@route(
    bp,
    "/v1/outlets/{outlet_id}/api-keys/{key_id}/revoke",
    "POST",
    roles=ADMIN,
    summary="Revoke an outlet API key (takes effect at once)",
    response=lambda: key_models.ApiKeyOut,
    tags=["outlet keys"],
    errors=(404,),
)
def revoke_api_key(ctx: Ctx, outlet_id: str, key_id: str) -> Any:
    return outlet_keys.revoke(ctx.user, outlet_id, key_id)


@route(
    bp,
    "/v1/partner/referrals",
    "POST",
    roles=OUTLET,
    summary="Refer a prospect (outlet API key)",
    body=lambda: prospects_models.ReferralIn,
    response=lambda: prospects_models.ReferralOut,
    status=201,
    tags=["partner"],
    errors=(409,),
)
def submit_referral(ctx: Ctx, body: prospects_models.ReferralIn) -> Any:
    return referrals.register_referral(prospects.deps(), ctx.user, body)


@route(
    bp,
    "/v1/partner/referrals",
    order="newest first (by created_at)",
    roles=OUTLET,
    summary="The calling outlet's referrals, masked",
    query=lambda: common_models.PageQuery,
    response=lambda: prospects_models.ReferralPage,
    tags=["partner"],
)
def list_referrals(ctx: Ctx, query: common_models.PageQuery) -> Any:
    page = referrals.list_referrals(prospects.deps(), ctx.user, query.limit, ctx.start_key(query.next_token))
    return ctx.page(page, lambda r: prospects_models.ReferralOut.model_validate(referrals.referral_view(r)))


@route(
    bp,
    "/v1/partner/referrals/{referral_id}",
    roles=OUTLET,
    summary="One of the calling outlet's referrals",
    response=lambda: prospects_models.ReferralOut,
    tags=["partner"],
)
def get_referral(ctx: Ctx, referral_id: str) -> Any:
    return referrals.get_referral(prospects.deps(), ctx.user, referral_id)
