"""Development stages and deployed ones: what a deployed stage refuses to start on.

Settings (config.py) checks itself with `fail_closed` when it is read: a deployment with a local-only
default, a shared secret or dev tokens in effect never starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Settings

# The only stages that may run with shared secrets (HS256, /v1/dev/token, the local-only key defaults):
# a developer's machine (`make run`) and pytest. Every other stage name is a deployment and fails closed.
DEV_STAGES = ("local", "test")
STAGE_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"
# Local-only defaults: a deployed stage refuses to start while any of them is in effect.
DEFAULT_JWT_SECRET = "local-only-secret-change-me-0123456789"
DEFAULT_JWT_ISSUER = "fielddesk-local"
DEFAULT_HASH_KEY = "local-hash-key-change-me"
DEFAULT_PAGE_TOKEN_KEY = "local-page-token-key-change-me"
DEFAULT_FIELD_KEY = "bG9jYWwtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE="
MIN_KEY_CHARS = 32


def fail_closed(settings: Settings) -> None:
    """A deployed stage refuses to start on anything that would open it up; each error names the setting.
    Unset, `jwt_mode` is settled here (hs256 with dev tokens, else jwks)."""
    if not settings.stage:
        raise ValueError(
            "FIELDDESK_STAGE is required (local and test for development, any other name " "deploys and fails closed)"
        )
    if settings.jwt_mode is None:
        settings.jwt_mode = "hs256" if settings.dev_tokens else "jwks"
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    if settings.dev_tokens and (settings.stage not in DEV_STAGES or in_lambda):
        raise ValueError(
            f"FIELDDESK_DEV_TOKENS is for the local and test stages on a developer's machine, "
            f"never the {settings.stage} stage{' in Lambda' if in_lambda else ''}"
        )
    if settings.jwt_mode == "hs256" and not settings.dev_tokens:
        raise ValueError("FIELDDESK_JWT_MODE=hs256 needs FIELDDESK_DEV_TOKENS=true (local and test stages only)")
    if settings.jwt_mode == "jwks":
        if not settings.jwks_url.startswith("https://"):
            raise ValueError(
                f"the {settings.stage} stage verifies tokens against a JWKS: set FIELDDESK_JWKS_URL " "(https)"
            )
        if not settings.jwt_issuer or settings.jwt_issuer == DEFAULT_JWT_ISSUER:
            raise ValueError(f"the {settings.stage} stage needs its identity provider's FIELDDESK_JWT_ISSUER")
        if not settings.jwt_audience:
            raise ValueError(f"the {settings.stage} stage needs FIELDDESK_JWT_AUDIENCE (the app client id)")
    if settings.stage in DEV_STAGES:
        return
    # Deployed: no shared secret and no local-only default may be in effect.
    for value, secret, env in (
        (settings.hash_key, settings.hash_key_secret, "HASH_KEY"),
        (settings.page_token_key, settings.page_token_key_secret, "PAGE_TOKEN_KEY"),
    ):
        if not secret and (value in (DEFAULT_HASH_KEY, DEFAULT_PAGE_TOKEN_KEY) or len(value) < MIN_KEY_CHARS):
            raise ValueError(
                f"the {settings.stage} stage needs FIELDDESK_{env}_SECRET (a Secrets Manager secret) "
                f"or a non-default FIELDDESK_{env} of at least {MIN_KEY_CHARS} characters"
            )
    if not settings.kms_key_id:
        raise ValueError(f"the {settings.stage} stage encrypts client data with KMS (FIELDDESK_KMS_KEY_ID)")
    if "*" in settings.cors_origins:
        raise ValueError(f"the {settings.stage} stage never allows CORS origin * (FIELDDESK_CORS_ORIGINS)")
