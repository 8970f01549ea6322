"""Values read at run time, not from the environment: the secrets of deployed stages (Secrets Manager) and
the outlets' usage plan id (SSM). Local and test stages, where the setting names no secret or parameter,
use the setting's own value (config.py)."""

from __future__ import annotations

from .config import get_settings

SECRET_MAX_AGE_SECONDS = 300


def _runtime_value(name: str, fallback: str, *, secret: bool) -> str:
    """A value read at run time from Secrets Manager / SSM (powertools Parameters, cached per container)."""
    if not name:
        return fallback
    from aws_lambda_powertools.utilities import parameters

    if secret:
        return parameters.get_secret(name, max_age=SECRET_MAX_AGE_SECONDS)
    return parameters.get_parameter(name, max_age=SECRET_MAX_AGE_SECONDS)


def secret_hash_key() -> str:
    s = get_settings()
    return _runtime_value(s.hash_key_secret, s.hash_key, secret=True)


def secret_page_token_key() -> str:
    s = get_settings()
    return _runtime_value(s.page_token_key_secret, s.page_token_key, secret=True)


def outlet_usage_plan_id() -> str:
    s = get_settings()
    return _runtime_value(s.outlet_usage_plan_parameter, s.outlet_usage_plan_id, secret=False)
