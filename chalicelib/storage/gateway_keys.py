"""Outlet keys registered with API Gateway, so its usage plan meters and throttles each outlet.

FieldDesk itself stores only a hash of a key's secret; API Gateway holds the key
value it needs to match the `X-Api-Key` header. Nothing happens when no usage
plan is configured (the local and test stages).
"""

from __future__ import annotations

from ..config import get_settings
from ..errors import Unavailable
from ..runtime_values import outlet_usage_plan_id
from .clients import apigateway_client


def enabled() -> bool:
    s = get_settings()
    return bool(s.outlet_usage_plan_id or s.outlet_usage_plan_parameter)


def register(*, outlet_id: str, key_id: str, value: str) -> str | None:
    """Create the gateway key and attach it to the outlet usage plan; returns its gateway id."""
    from botocore.exceptions import ClientError

    if not enabled():
        return None
    client = apigateway_client()
    try:
        created = client.create_api_key(
            name=f"fielddesk-{outlet_id}-{key_id}",
            value=value,
            enabled=True,
            tags={
                "outlet_id": outlet_id,
                "key_id": key_id,
                # the API role may manage only keys tagged with its stack
                "fielddesk:stack": get_settings().stack_name or "local",
            },
        )
    except ClientError as err:
        raise Unavailable("API Gateway refused the key; nothing was issued") from err
    try:
        client.create_usage_plan_key(usagePlanId=outlet_usage_plan_id(), keyId=created["id"], keyType="API_KEY")
    except ClientError as err:
        client.delete_api_key(apiKey=created["id"])
        raise Unavailable("API Gateway refused the usage plan; nothing was issued") from err
    return created["id"]


def remove(gateway_key_id: str | None) -> None:
    """Best effort: FieldDesk's own check already refuses a revoked key; a leftover gateway key is logged."""
    from botocore.exceptions import ClientError

    from ..observability import logger

    if gateway_key_id and enabled():
        client = apigateway_client()
        try:
            client.delete_usage_plan_key(usagePlanId=outlet_usage_plan_id(), keyId=gateway_key_id)
            client.delete_api_key(apiKey=gateway_key_id)
        except ClientError:
            logger.warning(
                "could not delete the gateway key of a revoked outlet key", extra={"gateway_key_id": gateway_key_id}
            )
