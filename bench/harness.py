"""An in-process FieldDesk on moto for benchmarks, with a DynamoDB request counter."""
from __future__ import annotations

import json
import os
import threading
from collections import Counter
from contextlib import contextmanager

os.environ.update({
    "FIELDDESK_STAGE": "test", "FIELDDESK_DEV_TOKENS": "true", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    # moto's in-process backend is not thread-safe; one worker keeps the same requests, in order.
    "FIELDDESK_SELECTION_WORKERS": "1",
})
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)


class DynamoCounter:
    """Counts DynamoDB requests by operation and items read, through botocore's client entry point."""

    def __init__(self):
        self.requests: Counter = Counter()
        self.items_read = 0
        self._original = None

    def __enter__(self):
        from botocore.client import BaseClient

        self._original = original = BaseClient._make_api_call
        counter = self

        lock = threading.RLock()  # moto's in-process backend is not thread-safe; the job uses a pool

        def counting(client, operation, params):
            with lock:
                result = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                counter.requests[operation] += 1
                if operation in ("Query", "Scan"):
                    counter.items_read += result.get("ScannedCount", result.get("Count", 0))
                elif operation == "GetItem":
                    counter.items_read += 1 if result.get("Item") else 0
                elif operation == "BatchGetItem":
                    counter.items_read += sum(len(v) for v in result.get("Responses", {}).values())
            return result

        BaseClient._make_api_call = counting
        return self

    def __exit__(self, *exc):
        from botocore.client import BaseClient

        BaseClient._make_api_call = self._original

    def reset(self):
        self.requests.clear()
        self.items_read = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def writes(self) -> int:
        return sum(n for op, n in self.requests.items()
                   if op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"))


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
