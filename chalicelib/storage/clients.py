"""AWS clients, created lazily once per container.

Clients come from a botocore session, not boto3's: importing boto3 pulls s3transfer (~100 ms of a cold
start, issue 17 §7) and its clients are botocore's anyway. boto3 is imported only for the resource the
seeding and benchmark tools use.
Retries are explicit (adaptive mode handles DynamoDB throttling for the jobs);
`DYNAMODB_ENDPOINT_URL` points at moto or any DynamoDB-compatible endpoint.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..config import get_settings

# botocore's Config takes a TypedDict; a literal at each call keeps its "mode" a Literal for mypy
_MAX_ATTEMPTS = 8
# read when a client is built (bench/replay.py swaps the mode: its virtual clock cannot drive adaptive mode)
_RETRIES: dict[str, object] = {"max_attempts": _MAX_ATTEMPTS, "mode": "adaptive"}


@cache
def _session():
    import botocore.session

    return botocore.session.get_session()


def _client(service: str, config: Any, endpoint_url: str | None = None) -> Any:
    return _session().create_client(
        service, region_name=get_settings().aws_region, endpoint_url=endpoint_url, config=config
    )


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
    return _client("dynamodb", _config(), get_settings().dynamodb_endpoint_url)


@cache
def dynamodb_resource():
    import boto3

    session = boto3.session.Session(botocore_session=_session(), region_name=get_settings().aws_region)
    return session.resource("dynamodb", endpoint_url=get_settings().dynamodb_endpoint_url, config=_config())


@cache
def main_table():
    return dynamodb_resource().Table(get_settings().table_name)


@cache
def s3_client():
    from botocore.config import Config

    cfg = Config(retries={"max_attempts": _MAX_ATTEMPTS, "mode": "adaptive"}, signature_version="s3v4")
    return _client("s3", cfg, get_settings().s3_endpoint_url)


@cache
def kms_client():
    return _client("kms", _config())


@cache
def sns_client():
    return _client("sns", _config())


@cache
def sqs_client():
    return _client("sqs", _config())


@cache
def apigateway_client():
    return _client("apigateway", _config())


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
