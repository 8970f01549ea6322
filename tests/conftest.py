"""Shared fixtures: moto per test, tables from infra/, demo directory, an API client.

Every test runs inside `mock_aws` with the tables built from the same
CloudFormation definitions that deploy to AWS. Any Scan fails the test.
"""
from __future__ import annotations

import json
import os
import threading

os.environ.update({
    "FIELDDESK_STAGE": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    # INFO, as deployed: a log call that breaks (a reserved key in `extra`) must break a test too.
    "POWERTOOLS_LOG_LEVEL": "INFO",
})
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
os.environ.pop("S3_ENDPOINT_URL", None)

import pytest  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402


class ScanForbidden(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_scan(monkeypatch):
    """Fails any Scan. Also serialises AWS calls: moto's in-process DynamoDB is not
    thread-safe, and the feed and the selection job use thread pools (real DynamoDB is)."""
    original = BaseClient._make_api_call
    lock = threading.RLock()

    def guarded(self, operation_name, api_params):
        if operation_name == "Scan":
            raise ScanForbidden(f"Scan called on {api_params.get('TableName')}: read candidates, not the table")
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", guarded)


@pytest.fixture(autouse=True)
def aws():
    from chalicelib.api import idempotency
    from chalicelib.auth import clear_principal_cache
    from chalicelib.config import get_settings, reset_settings
    from chalicelib.storage.cache import clear_all
    from chalicelib.storage.clients import dynamodb_client, reset_clients
    from infra.tables import create_tables

    with mock_aws():
        reset_settings()
        reset_clients()
        idempotency.reset()
        clear_principal_cache()
        clear_all()
        s = get_settings()
        create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
        yield
        reset_clients()
        idempotency.reset()
        clear_principal_cache()


@pytest.fixture
def directory():
    from infra.demo_data import seed_directory

    seed_directory()


def token_for(staff_id: str, **overrides) -> str:
    from chalicelib.config import get_settings
    from infra.local_token import mint

    s = get_settings()
    return mint(staff_id, secret=overrides.get("secret", s.jwt_secret), issuer=overrides.get("issuer", s.jwt_issuer),
                audience=overrides.get("audience", s.jwt_audience), ttl_seconds=overrides.get("ttl", 3600))


class Api:
    """`api.post("/v1/visits", body, as_="cm-001")` -> (status, json)."""

    def __init__(self, client):
        self.client = client

    def call(self, method, path, body=None, *, as_=None, api_key=None, headers=None, raw=None):
        h = {"Content-Type": "application/json"}
        if as_:
            h["Authorization"] = f"Bearer {token_for(as_)}"
        if api_key:
            h["X-Api-Key"] = api_key
        h.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        resp = self.client.http.request(method, path, headers=h, body=payload)
        self.last = resp
        try:
            data = json.loads(resp.body) if resp.body else None
        except ValueError:
            data = resp.body
        return resp.status_code, data

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(directory):
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)
