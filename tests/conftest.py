"""Shared fixtures: moto (patched once per worker, its state reset per test), tables from infra/, demo
directory, an API client.

Every test runs inside `mock_aws` with the tables built from the same
CloudFormation definitions that deploy to AWS. Any Scan fails the test.

FIELDDESK_TEST_DB=ddb-local (`make test-ddb`): DynamoDB calls go to Amazon DynamoDB Local
instead, one engine per xdist worker with its tables created once; after each test the
items it wrote (recorded from every PutItem/UpdateItem/TransactWriteItems/BatchWriteItem)
are deleted. S3, SNS and KMS stay on moto.
"""

from __future__ import annotations

import copy
import json
import os
import threading

os.environ.update(
    {
        "FIELDDESK_STAGE": "test",
        # HS256 test tokens and /v1/dev/token: explicit, as on `make run` (chalicelib/config.py refuses it elsewhere).
        "FIELDDESK_DEV_TOKENS": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        # INFO, as deployed: a log call that breaks (a reserved key in `extra`) must break a test too.
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
os.environ.pop("S3_ENDPOINT_URL", None)

import pytest  # noqa: E402
from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.wiring import install as install_adapters  # noqa: E402

install_adapters()  # every domain port bound to its DynamoDB adapter, as app.py does

DDB_LOCAL = os.environ.get("FIELDDESK_TEST_DB", "moto") == "ddb-local"
_WRITTEN: dict[str, dict[tuple, dict]] = {}


class ScanForbidden(AssertionError):
    pass


def _typed_key(item: dict) -> dict:
    names = ("pk", "sk") if "pk" in item else ("id",)
    return {n: (item[n] if isinstance(item[n], dict) else {"S": item[n]}) for n in names if n in item}


def _record_write(operation_name: str, params: dict) -> None:
    found: list[tuple[str, dict]] = []
    if operation_name == "PutItem":
        found.append((params["TableName"], params["Item"]))
    elif operation_name == "UpdateItem":
        found.append((params["TableName"], params["Key"]))
    elif operation_name == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            if "Put" in entry:
                found.append((entry["Put"]["TableName"], entry["Put"]["Item"]))
            elif "Update" in entry:
                found.append((entry["Update"]["TableName"], entry["Update"]["Key"]))
    elif operation_name == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            found.extend((table, r["PutRequest"]["Item"]) for r in requests if "PutRequest" in r)
    for table, item in found:
        key = _typed_key(item)
        _WRITTEN.setdefault(table, {})[tuple(sorted((k, v.get("S")) for k, v in key.items()))] = key


def _delete_written(client) -> None:
    for table, keys in _WRITTEN.items():
        batch = list(keys.values())
        for i in range(0, len(batch), 25):
            requests = [{"DeleteRequest": {"Key": k}} for k in batch[i : i + 25]]
            try:
                pending = {table: requests}
                while pending:
                    pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            except client.exceptions.ResourceNotFoundException:
                break
    _WRITTEN.clear()


@pytest.fixture(autouse=True)
def no_scan(monkeypatch):
    """Fails any Scan. Also serialises AWS calls: moto's in-process DynamoDB is not
    thread-safe, and the feed and the selection job use thread pools (real DynamoDB is)."""
    original = BaseClient._make_api_call
    lock = threading.RLock()

    def guarded(self, operation_name, api_params):
        if operation_name == "Scan":
            raise ScanForbidden(f"Scan called on {api_params.get('TableName')}: read candidates, not the table")
        if DDB_LOCAL and self.meta.service_model.service_name == "dynamodb":
            _record_write(operation_name, api_params)
            return original(self, operation_name, api_params)  # the real engine is thread-safe
        if operation_name in _WRITES and self.meta.service_model.service_name == "dynamodb":
            _RESTORED["written"] = True
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", guarded)


@pytest.fixture(scope="session")
def ddb_engine(tmp_path_factory):
    """DynamoDB Local for this worker (FIELDDESK_TEST_DB=ddb-local), else None."""
    if not DDB_LOCAL:
        yield None
        return
    from infra import ddb_local

    port = ddb_local.free_port()
    log = tmp_path_factory.mktemp("ddb") / "dynamodb-local.log"
    proc = ddb_local.start(port, log_path=log)
    try:
        ddb_local.wait_ready(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:
            proc.kill()


_MOTO_SNAPSHOTS: dict[str, dict] = {}
_WRITES = frozenset(
    ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem", "CreateTable", "DeleteTable")
)
# The snapshot the tables were last restored from, and whether anything was written since (`seeded`).
_RESTORED: dict[str, object] = {"name": None, "written": True}


def _moto_tables() -> dict:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].tables


def _restore_moto(name: str, build) -> None:
    """Tables (and the demo directory) once per worker, then a deep copy of moto's table objects
    (~1 ms) instead of building them again through the API (create ~90 ms, directory ~98 ms)."""
    tables = _moto_tables()
    if name in _MOTO_SNAPSHOTS:
        tables.clear()
        tables.update(copy.deepcopy(_MOTO_SNAPSHOTS[name]))
    else:
        build()
        _MOTO_SNAPSHOTS[name] = copy.deepcopy(dict(tables))
    _RESTORED.update(name=name, written=False)


def seeded(name: str, build) -> None:
    """A module's seed data built once per worker, then restored as the directory is: `build()` writes it on
    the tables as they are, and the snapshot is kept under that state's name (nothing written since the last
    restore) and `name`. `name` must say whatever else the build depends on (its clock, its settings).
    On DynamoDB Local, or when a test wrote first, it simply builds."""
    from chalicelib.storage.cache import clear_all

    if DDB_LOCAL or _RESTORED["written"]:
        build()
    else:
        _restore_moto(f"{_RESTORED['name']}+{name}", build)
    clear_all()  # what the build read stays out of the caches, restored or not


@pytest.fixture(scope="session")
def moto_patched():
    """moto's patching once per worker: entering `mock_aws` registers ~1,300 URL patterns with `responses`
    (~8 ms); every test forgets moto's state instead (`aws`), as entering it again would."""
    with mock_aws():
        yield


@pytest.fixture(autouse=True)
def aws(ddb_engine, moto_patched):
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    from chalicelib.api import idempotency
    from chalicelib.auth import clear_principal_cache
    from chalicelib.config import get_settings, reset_settings
    from chalicelib.storage.cache import clear_all
    from chalicelib.storage.clients import dynamodb_client, reset_clients
    from infra.tables import create_tables

    if ddb_engine:
        os.environ["DYNAMODB_ENDPOINT_URL"] = ddb_engine
    BackendDict.reset()  # S3, SNS, SQS, KMS and the tables as a fresh `mock_aws` leaves them
    reset_model_data()
    reset_settings()
    reset_clients()
    idempotency.reset()
    clear_principal_cache()
    clear_all()
    s = get_settings()
    if ddb_engine:
        create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name)
    else:
        _restore_moto("empty", lambda: create_tables(dynamodb_client(), s.table_name, s.idempotency_table_name))
    yield
    if ddb_engine:
        reset_settings()
        reset_clients()
        _delete_written(dynamodb_client())
    reset_clients()
    idempotency.reset()
    clear_principal_cache()


_ORIGINAL_CALL = BaseClient._make_api_call
_DIRECTORY_SNAPSHOT: dict[str, list[dict]] = {}


def _restore_directory() -> None:
    """On DynamoDB Local: seed the demo directory once per worker, then write back its items
    (BatchWriteItem of the snapshot, ~10x faster than the domain code over HTTP)."""
    from chalicelib.storage.clients import dynamodb_client
    from infra.demo_data import seed_directory

    client = dynamodb_client()
    if not _DIRECTORY_SNAPSHOT:
        seed_directory()
        for table in list(_WRITTEN):
            items = []
            kwargs = {"TableName": table}
            while True:  # the fixture itself reads the table back; the code under test never scans
                page = _ORIGINAL_CALL(client, "Scan", kwargs)
                items.extend(page["Items"])
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            _DIRECTORY_SNAPSHOT[table] = items
        return
    for table, items in _DIRECTORY_SNAPSHOT.items():
        for i in range(0, len(items), 25):
            pending = {table: [{"PutRequest": {"Item": item}} for item in items[i : i + 25]]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


@pytest.fixture
def directory():
    if DDB_LOCAL:
        _restore_directory()
        return
    from chalicelib import clock
    from infra.demo_data import seed_directory

    # created_at is the seed's clock: one snapshot per frozen moment, or per day on the real clock.
    moment = clock.iso(clock.now()) if clock._frozen is not None else clock.today().isoformat()
    seeded(f"directory@{moment}", seed_directory)  # on top of whatever a fixture wrote first


def token_for(staff_id: str, **overrides) -> str:
    from chalicelib.config import get_settings
    from infra.local_token import mint

    s = get_settings()
    return mint(
        staff_id,
        secret=overrides.get("secret", s.jwt_secret),
        issuer=overrides.get("issuer", s.jwt_issuer),
        audience=overrides.get("audience", s.jwt_audience),
        ttl_seconds=overrides.get("ttl", 3600),
    )


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


@pytest.fixture
def lambda_15_minutes(monkeypatch):
    """chalice.test's Lambda context gives every function 3 s; the import handler has 900 s deployed."""
    import functools

    import chalice.test
    from chalice.local import LambdaContext

    monkeypatch.setattr(chalice.test, "LambdaContext", functools.partial(LambdaContext, max_runtime_ms=900_000))
