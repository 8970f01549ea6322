"""The mobile web forms: static pages under /app/, plus a demo sign-in for the local and test stages.

The pages are plain files in `chalicelib/web/` (deployed with the Lambda package) served
by plain Chalice routes: they are not JSON, so they bypass the `route` decorator and stay
out of the OpenAPI document. The pages call the JSON API on the same origin.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response
from pydantic import Field

from ..config import DEV_STAGES, get_settings
from ..errors import NotFound, ValidationFailed
from ..lazy import lazy
from ..models.common import RequestModel, ResponseModel
from .payloads import error_response
from .request_context import Ctx
from .routing import route

if TYPE_CHECKING:
    from ..domain import directory
else:
    directory = lazy("chalicelib.domain.directory")

bp = Blueprint(__name__)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
DEV_TOKEN_SECONDS = 8 * 3600

# name -> (content type, Cache-Control). Files are not fingerprinted, so caches revalidate
# with the ETag; the service worker keeps its own copy for offline use.
JS = ("application/javascript; charset=utf-8", "public, max-age=300, must-revalidate")
# The page's ES modules (main.js imports the others). Module scripts are refused by the browser
# unless served with a JavaScript content type, so each one is listed here; sw.js caches the same set.
MODULES = (
    "main.js",
    "render.js",
    "errors.js",
    "net.js",
    "queue.js",
    "more.js",
    "signin.js",
    "visits.js",
    "prospects.js",
    "tasks.js",
    "travel.js",
    "leave.js",
    "declarations.js",
    "outbox.js",
    "i18n.js",
)
ASSETS = {
    **{name: JS for name in MODULES},
    "app.css": ("text/css; charset=utf-8", "public, max-age=300, must-revalidate"),
    "icon.svg": ("image/svg+xml", "public, max-age=86400"),
    # PNG icons for installing (Android and iOS want raster icons); made from icon.svg by infra/web_icons.py.
    "icon-192.png": ("image/png", "public, max-age=86400"),
    "icon-512.png": ("image/png", "public, max-age=86400"),
    "apple-touch-icon.png": ("image/png", "public, max-age=86400"),
    "manifest.webmanifest": ("application/manifest+json; charset=utf-8", "public, max-age=3600"),
    # The worker script must be revalidated every time, or a fix could take a day to reach phones.
    "sw.js": ("application/javascript; charset=utf-8", "no-cache"),
}
INDEX = ("text/html; charset=utf-8", "no-cache")


@cache
def _read(name: str) -> str | bytes:
    path = WEB_DIR / name
    # Images are bytes: Chalice sends a bytes body of a binary type (image/png is one by default) base64-encoded.
    return path.read_bytes() if name.endswith(".png") else path.read_text(encoding="utf-8")


def _read_text(name: str) -> str:
    body = _read(name)
    if isinstance(body, bytes):
        raise TypeError(f"{name} is served as bytes, not text")
    return body


def _base_href(request) -> str:
    """`/app/` under the path the browser used, so the pages work behind a stage prefix (`/v1/app/`)."""
    path = (request.context or {}).get("path") or request.path or "/app"
    prefix = path[: path.find("/app")] if "/app" in path else ""
    return f"{prefix}/app/"


def _serve(request, body: str | bytes, content_type: str, cache_control: str) -> Response:
    etag = '"' + hashlib.sha256(body if isinstance(body, bytes) else body.encode()).hexdigest()[:32] + '"'
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if content_type.startswith("text/html"):
        # Scripts and styles come only from this origin; photos go to and come from S3 (moto locally).
        s3 = "https:" if get_settings().stage not in DEV_STAGES else "https: http://127.0.0.1:* http://localhost:*"
        headers["Content-Security-Policy"] = (
            f"default-src 'self'; img-src 'self' blob: data: {s3}; connect-src 'self' {s3}; "
            "style-src 'self'; script-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        )
        headers["Referrer-Policy"] = "no-referrer"
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers=headers)


@bp.route("/app", methods=["GET"])
def web_index():
    request = bp.current_request
    # The file's relative base works when it is deployed as a static file; here the absolute one
    # also holds for `/app` without its trailing slash.
    html = _read_text("index.html").replace('<base href="./">', f'<base href="{_base_href(request)}">', 1)
    return _serve(request, html, *INDEX)


@bp.route("/app/{asset}", methods=["GET"])
def web_asset(asset):
    request = bp.current_request
    if asset in ("index.html", ""):
        return web_index()
    if asset == "config.json":
        return _serve(
            request, json.dumps(sign_in_config(), ensure_ascii=False), "application/json; charset=utf-8", "no-store"
        )
    if asset not in ASSETS:
        return error_response(NotFound(f"no such page asset: {asset}"))
    return _serve(request, _read(asset), *ASSETS[asset])


def sign_in_config() -> dict:
    """What the sign-in page needs: demo sign-in on local/test, the identity provider elsewhere.

    Any OIDC provider (authorization code with PKCE): its endpoints from the settings, from the Cognito
    domain, or (neither set) from the issuer's discovery document, which the page reads. `token_use`
    says which token of the code exchange the page sends: the one the API verifies
    (FIELDDESK_JWT_TOKEN_USE; Cognito access tokens carry no `custom:staff_id`).
    """
    s = get_settings()
    # The page refuses a photo over the server's limit before it is queued on the phone.
    limits = {"photo_max_bytes": s.photo_max_bytes}
    if s.dev_tokens_enabled:
        return {"stage": s.stage, "sign_in": "demo", **limits}
    domain = s.cognito_domain.rstrip("/")
    authorize, token = s.oidc_authorization_endpoint, s.oidc_token_endpoint
    if not (authorize and token) and domain:
        authorize, token = f"{domain}/oauth2/authorize", f"{domain}/oauth2/token"
    discovery = "" if authorize and token else f"{s.jwt_issuer.rstrip('/')}/.well-known/openid-configuration"
    return {
        "stage": s.stage,
        "sign_in": "oidc",
        **limits,
        "oidc": {
            "issuer": s.jwt_issuer,
            "authorization_endpoint": authorize if not discovery else "",
            "token_endpoint": token if not discovery else "",
            "discovery_url": discovery,
            "client_id": s.jwt_audience,
            "scopes": list(s.oidc_scopes),
            "token_use": s.jwt_token_use,
        },
    }


# --- demo sign-in (local and test stages only) ------------------------------------------------
class DevTokenIn(RequestModel):
    staff_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")


class DevTokenOut(ResponseModel):
    token: str
    staff_id: str
    role: str
    name: str
    expires_in: int


def mint_dev_token(staff_id: str, ttl_seconds: int = DEV_TOKEN_SECONDS) -> str:
    """The same HS256 token as `infra/local_token.py` (which is not deployed, so not importable here)."""
    import jwt

    s = get_settings()
    now = int(time.time())
    claims = {
        "sub": staff_id,
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "token_use": "access",
    }
    return jwt.encode(claims, s.jwt_secret, algorithm="HS256")


@route(
    bp,
    "/v1/dev/token",
    "POST",
    public=True,
    roles=[],
    idempotent=False,
    body=DevTokenIn,
    response=DevTokenOut,
    tags=["local stage only"],
    summary="LOCAL/TEST STAGES WITH FIELDDESK_DEV_TOKENS ONLY (404 elsewhere): a demo user's bearer token "
    "for the mobile forms",
)
def dev_token(ctx: Ctx, body: DevTokenIn) -> Any:
    s = get_settings()
    if not s.dev_tokens_enabled:  # FIELDDESK_DEV_TOKENS on local/test only: elsewhere the route does not exist
        raise NotFound("not found")

    try:
        staff = directory.get_staff_record(body.staff_id)
    except NotFound:
        raise ValidationFailed.field("staff_id", "no such staff member") from None
    if staff.get("status") != "active":
        raise ValidationFailed.field("staff_id", "this staff member has departed")
    return DevTokenOut(
        token=mint_dev_token(body.staff_id),
        staff_id=body.staff_id,
        role=staff["role"],
        name=staff.get("name", ""),
        expires_in=DEV_TOKEN_SECONDS,
    )
