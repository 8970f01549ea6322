"""An in-process FieldDesk on moto for benchmarks, with a DynamoDB request counter."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

from bench.counter import DynamoCounter  # noqa: F401 - re-exported for the benchmarks

os.environ.update(
    {
        "FIELDDESK_STAGE": "test",
        "FIELDDESK_DEV_TOKENS": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        # moto's in-process backend is not thread-safe; one worker keeps the same requests, in order.
        "FIELDDESK_SELECTION_WORKERS": "1",
    }
)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)


@contextmanager
def moto_backend(demo: bool = False):
    """A fresh moto backend with the tables from infra/ and the demo directory (all demo data with `demo`)."""
    from moto import mock_aws

    with mock_aws():
        from chalicelib.config import get_settings, reset_settings
        from chalicelib.storage.clients import dynamodb_client, reset_clients
        from infra.demo_data import seed_all, seed_directory
        from infra.tables import create_tables

        reset_settings()
        reset_clients()
        s = get_settings()
        create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
        seed_all() if demo else seed_directory()
        yield


@contextmanager
def local_fieldesk(demo: bool = False):
    """`moto_backend` plus a chalice test client of the app."""
    from chalice.test import Client

    with moto_backend(demo):
        from app import app

        with Client(app) as client:
            yield client


def call(client, method, path, body=None, *, token, headers=None):
    h = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
    resp = client.http.request(method, path, headers=h, body=json.dumps(body) if body is not None else None)
    return resp.status_code, (json.loads(resp.body) if resp.body else None)


def token(staff_id: str) -> str:
    from chalicelib.config import get_settings
    from infra.local_token import mint

    s = get_settings()
    return mint(staff_id, secret=s.jwt_secret, issuer=s.jwt_issuer, audience=s.jwt_audience)
