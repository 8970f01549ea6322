"""boto3 clients and tables, created lazily once per container.

Retries are explicit (adaptive mode handles DynamoDB throttling for the jobs);
`DYNAMODB_ENDPOINT_URL` points at moto or any DynamoDB-compatible endpoint.
"""

from __future__ import annotations

from functools import cache

from ..config import get_settings

# botocore's Config takes a TypedDict; a literal at each call keeps its "mode" a Literal for mypy
_MAX_ATTEMPTS = 8
# read when a client is built (bench/replay.py swaps the mode: its virtual clock cannot drive adaptive mode)
_RETRIES: dict[str, object] = {"max_attempts": _MAX_ATTEMPTS, "mode": "adaptive"}


@cache
def _session():
    import boto3

    return boto3.session.Session(region_name=get_settings().aws_region)


def _config():
    from botocore.config import Config

    return Config(
        retries=dict(_RETRIES),  # type: ignore[arg-type]  # botocore types it as a TypedDict
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=32,
    )


@cache
def dynamodb_client():
    return _session().client("dynamodb", endpoint_url=get_settings().dynamodb_endpoint_url, config=_config())


@cache
def dynamodb_resource():
    return _session().resource("dynamodb", endpoint_url=get_settings().dynamodb_endpoint_url, config=_config())


@cache
def main_table():
    return dynamodb_resource().Table(get_settings().table_name)


@cache
def s3_client():
    from botocore.config import Config

    cfg = Config(retries={"max_attempts": _MAX_ATTEMPTS, "mode": "adaptive"}, signature_version="s3v4")
    return _session().client("s3", endpoint_url=get_settings().s3_endpoint_url, config=cfg)


@cache
def kms_client():
    return _session().client("kms", config=_config())


@cache
def sns_client():
    return _session().client("sns", config=_config())


@cache
def sqs_client():
    return _session().client("sqs", config=_config())


@cache
def apigateway_client():
    return _session().client("apigateway", config=_config())


def reset_clients() -> None:
    """Tests start a fresh moto backend per test; forget clients bound to the old one."""
    for fn in (
        _session,
        dynamodb_client,
        dynamodb_resource,
        main_table,
        s3_client,
        kms_client,
        sns_client,
        apigateway_client,
        sqs_client,
    ):
        fn.cache_clear()
