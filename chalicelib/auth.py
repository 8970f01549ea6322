"""Who is calling: bearer JWTs for staff, API keys for partner bank outlets.

`authenticate` is the one place credentials are verified, whether the request
comes through API Gateway, `chalice local` or the test client. Route handlers
declare their roles; object-level checks live in the domain.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from functools import lru_cache

from .config import get_settings
from .errors import Forbidden, Unauthenticated
from .models.common import Role

API_KEY_PREFIX = "fdk_"


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" | "outlet"
    id: str
    role: str
    branch_id: str
    name: str = ""
    outlet_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


_cache: dict[str, tuple[float, dict]] = {}  # staff records by id, with their expiry


def clear_principal_cache() -> None:
    _cache.clear()


def authenticate(headers) -> Principal:
    authorization = headers.get("authorization") or ""
    api_key = headers.get("x-api-key")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization must be 'Bearer <token>'")
        return _staff_principal(_verify_jwt(token.strip()))
    if api_key:
        return _outlet_principal(api_key.strip())
    raise Unauthenticated("missing credentials: send 'Authorization: Bearer <token>' or 'X-Api-Key'")


def require_role(principal: Principal, roles) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not call this route")


# --- JWT ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _jwks_client(url: str):
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def _verify_jwt(token: str) -> str:
    import jwt

    s = get_settings()
    try:
        if s.jwt_mode == "hs256":
            if not s.dev_tokens_enabled:  # the settings refuse this already; a second lock, not the only one
                raise Unauthenticated("shared-secret tokens are refused on this stage")
            claims = jwt.decode(
                token,
                s.jwt_secret,
                algorithms=["HS256"],
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["exp", "sub", "iss"]},
            )
        else:
            key = _jwks_client(s.jwks_url).get_signing_key_from_jwt(token)
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "ES256"],
                issuer=s.jwt_issuer,
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
            # Cognito marks its tokens with token_use; other IdPs' access tokens are typed at+jwt (RFC 9068).
            use = claims.get("token_use") or (
                "access"
                if str(header.get("typ", "")).lower() == "at+jwt"
                else "id"
                if "aud" in claims and "client_id" not in claims
                else None
            )
            if use != s.jwt_token_use:
                raise Unauthenticated(f"token_use must be {s.jwt_token_use}")
            audience = claims.get("aud") if use == "id" else (claims.get("client_id") or claims.get("aud"))
            audiences = audience if isinstance(audience, list) else [audience]
            if s.jwt_audience not in audiences:
                raise Unauthenticated("token was issued for another client")
    except jwt.PyJWTError as err:
        raise Unauthenticated(f"invalid token: {err}") from None
    if s.jwt_mode == "jwks":
        staff_id = claims.get(s.jwt_staff_id_claim)  # never a fallback: user names are not staff ids
    else:
        staff_id = claims.get("custom:staff_id") or claims.get("username") or claims.get("sub")
    if not staff_id:
        raise Unauthenticated("token names no staff member")
    return str(staff_id)


def cached_staff(staff_id: str) -> dict | None:
    """A staff member's directory record (any status), read at most once per `principal_cache_seconds`
    in this container; the same read authenticates them. For read-scope checks ("is this manager in
    my branch"), which then cost no request: the record is as fresh as the caller's own principal.
    A write's check is a condition of its transaction instead, never this copy."""
    hit = _cache.get(staff_id)
    if hit and hit[0] > time.monotonic():
        return dict(hit[1])
    from .storage import directory

    record = directory.get_staff(staff_id)
    if record is not None:
        _cache[staff_id] = (time.monotonic() + get_settings().principal_cache_seconds, record)
    return dict(record) if record is not None else None


def _staff_principal(staff_id: str) -> Principal:
    # Built from the cached record each time: the principal is never staler than the record.
    record = cached_staff(staff_id)
    if not record or record.get("status") != "active":
        raise Unauthenticated("unknown or departed staff member")
    return Principal(
        kind="staff",
        id=staff_id,
        role=record["role"],
        branch_id=record["branch_id"],
        name=record.get("name", ""),
        outlet_ids=tuple(record.get("outlet_ids") or ()),
    )


# --- outlet API keys --------------------------------------------------------------------
def hash_api_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_api_key(raw: str) -> tuple[str, str]:
    if not raw.startswith(API_KEY_PREFIX) or "." not in raw:
        raise Unauthenticated("malformed API key")
    key_id, _, secret = raw[len(API_KEY_PREFIX) :].partition(".")
    if not key_id or not secret:
        raise Unauthenticated("malformed API key")
    return key_id, secret


def _outlet_principal(raw: str) -> Principal:
    key_id, secret = parse_api_key(raw)
    from .storage import directory

    # Not cached, read consistently: a key revoked in another container must stop working at once.
    record = directory.get_api_key(key_id, consistent=True)
    expected = record.get("secret_hash", "") if record else "0" * 64
    valid = hmac.compare_digest(expected, hash_api_secret(secret))
    if not record or not valid or record.get("status") != "active":
        raise Unauthenticated("invalid or revoked API key")
    # The outlet itself, not its per-container cached copy: closing it revokes its keys, and a key
    # the closure could not see yet (issued a moment before) is refused here.
    outlet = directory.read_outlet(record["outlet_id"])
    if not outlet or outlet.get("status", "active") != "active":
        raise Unauthenticated("this outlet is closed: its API keys no longer work")
    return Principal(
        kind="outlet",
        id=record["outlet_id"],
        role=Role.outlet.value,
        branch_id=record["branch_id"],
        outlet_ids=(record["outlet_id"],),
    )
