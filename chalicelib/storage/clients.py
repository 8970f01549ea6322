"""AWS clients, created lazily once per container.

Clients come from a botocore session, not boto3's: importing boto3 pulls s3transfer (~100 ms of a cold
start, issue 17 §7) and its clients are botocore's anyway. boto3 is imported only for the resource the
seeding and benchmark tools use.
Retries are explicit: adaptive mode for the API's requests; `job_retries()` (DynamoDB's legacy policy) for
the selection job; `sent_once()` (no resend) for its task puts, which the job retries itself.
`DYNAMODB_ENDPOINT_URL` points at moto or any DynamoDB-compatible endpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from ..config import get_settings

# botocore's Config takes a TypedDict; a literal at each call keeps its "mode" a Literal for mypy
_MAX_ATTEMPTS = 8
# the API's (adaptive mode's rate limiter is per client: the job's requests do not slow it)
_RETRIES: dict[str, object] = {"max_attempts": _MAX_ATTEMPTS, "mode": "adaptive"}
# The selection job: botocore's standard and adaptive modes wait rand(0, 1 s) x 2^n before resending a
# throttled request (retries/standard.py, throttling_base_scale = 1 s), and in the replay at 5% throttles
# those sleeps were 130 of the workers' 257 s (issue 18). Legacy mode keeps DynamoDB's own policy
# (data/_retry.json: 50 ms doubling; throttles, 5xx, lost connections, TransactionInProgress), the scale of
# the job's own backoff once botocore's retries are spent (domain/selection_patience.py).
_JOB_RETRIES: dict[str, object] = {"max_attempts": _MAX_ATTEMPTS, "mode": "legacy"}
_job = {"depth": 0}
_job_lock = threading.Lock()
_once = threading.local()


@contextmanager
def job_retries() -> Iterator[None]:
    """Within: DynamoDB requests go through the job's client (`_JOB_RETRIES`). Process-wide, not per thread,
    so the job's worker threads see it: in Lambda the job has its container to itself; in a test or
    `make run` the API's requests made meanwhile use it too (moto and DynamoDB Local do not throttle)."""
    with _job_lock:
        _job["depth"] += 1
    try:
        yield
    finally:
        with _job_lock:
            _job["depth"] -= 1


@contextmanager
def sent_once() -> Iterator[None]:
    """Within, on this thread: DynamoDB requests are sent once, botocore resends none (a throttle, a 5xx or a
    lost connection is raised at once). For the selection's task puts (storage/selection.create_task): the
    job re-queues a throttled task and its worker sends the next one meanwhile (domain/selection_create.py),
    where botocore's resend held the worker for 50 ms (issue 18: 19% of the workers' time at 5% throttles).
    Per thread, unlike `job_retries`: only the put that asked for it. The same client (`_resend_unless_once`),
    so whatever counts a client's requests (the benchmarks, the tests) sees these too."""
    before = getattr(_once, "on", False)
    _once.on = True
    try:
        yield
    finally:
        _once.on = before


@cache
def _session():
    import botocore.session

    return botocore.session.get_session()


def _client(service: str, config: Any, endpoint_url: str | None = None) -> Any:
    return _session().create_client(
        service, region_name=get_settings().aws_region, endpoint_url=endpoint_url, config=config
    )


def _config(retries: dict[str, object] | None = None):
    from botocore.config import Config

    return Config(
        retries=dict(retries or _RETRIES),  # type: ignore[arg-type]  # botocore types it as a TypedDict
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=32,
    )


def dynamodb_client():
    return _dynamodb_client(job=_job["depth"] > 0)


@cache
def _dynamodb_client(*, job: bool):
    client = _client("dynamodb", _config(_JOB_RETRIES if job else None), get_settings().dynamodb_endpoint_url)
    if job:
        _resend_unless_once(client)
    return client


def _resend_unless_once(client) -> None:
    """The job client's legacy retry handler, asked only outside `sent_once()`: built and registered as
    botocore builds and registers it (client.py, `_register_legacy_retries`), under the same id."""
    from botocore.retryhandler import create_retry_handler
    from botocore.translate import build_retry_config

    retry = _session().get_component("data_loader").load_data("_retry")
    config = build_retry_config("dynamodb", retry.get("retry", {}), retry.get("definitions", {}), dict(_JOB_RETRIES))
    handler = create_retry_handler(config, "dynamodb")

    def needs_retry(**kwargs):
        return None if getattr(_once, "on", False) else handler(**kwargs)

    client.meta.events.unregister("needs-retry.dynamodb", unique_id="retry-config-dynamodb")
    client.meta.events.register("needs-retry.dynamodb", needs_retry, unique_id="retry-config-dynamodb")


@cache
def _boto3_session():
    """One per botocore session: each boto3 Session registers its handlers on the botocore session it wraps,
    and a second one's would inject the S3 transfer methods twice (a RuntimeError creating an S3 client)."""
    import boto3

    return boto3.session.Session(botocore_session=_session())


@cache
def dynamodb_resource():
    s = get_settings()
    return _boto3_session().resource(
        "dynamodb", region_name=s.aws_region, endpoint_url=s.dynamodb_endpoint_url, config=_config()
    )


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
    """Tests start a fresh moto backend per test; forget clients bound to the old one. The botocore session
    stays: it holds no endpoint, retry policy or handler of ours, only its loader's parsed service models, and
    loading those again was ~110 ms of every test (issue 17 §2: 283 model files parsed for 56 tests)."""
    for fn in (
        _dynamodb_client,
        dynamodb_resource,
        main_table,
        s3_client,
        kms_client,
        sns_client,
        apigateway_client,
        sqs_client,
    ):
        fn.cache_clear()
