"""The capacity benchmark's hook (bench/capacity_meter.py): every DynamoDB call asks for
ReturnConsumedCapacity=INDEXES, and a known put is summed right (table and GSI apart).

The engine figures are DynamoDB's only on DynamoDB Local (FIELDDESK_TEST_DB=ddb-local, `make
test-ddb`); moto reports a constant, so that test skips on `make test`.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import DDB_LOCAL

PAD = "x" * 3000  # ~3 KB: 3 WCU on the table and 3 on each GSI the item is in


def _meter():
    import boto3

    from bench.capacity_meter import CapacityMeter, table_indexes
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import dynamodb_client, dynamodb_resource

    s = get_settings()
    snap = boto3.client("dynamodb", endpoint_url=s.dynamodb_endpoint_url, region_name=s.aws_region)
    return CapacityMeter(
        [dynamodb_client(), dynamodb_resource().meta.client], snap, table_indexes(snap, s.table_name)
    ).attach()


def test_item_sizes_follow_the_documented_rules():
    from bench.capacity_meter import item_size, rcu, wcu

    assert item_size({"pk": {"S": "abc"}}) == 5
    assert item_size({"n": {"N": "0012340.00"}}) == 1 + 3  # 4 significant digits: 2 + 1
    assert item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {"k": {"S": "v"}}}, "l": {"L": [{"S": "ab"}]}}) == (1 + 3 + 1 + 1 + 1) + (
        1 + 3 + 2 + 1
    )
    assert item_size({"s": {"S": "价"}}) == 1 + 3  # UTF-8 bytes
    assert (wcu(1024), wcu(1025), wcu(0)) == (1, 2, 1)
    assert (rcu(4096, True), rcu(4097, False), rcu(0, False)) == (1, 1, 0.5)


def test_every_call_that_accepts_it_asks_for_indexes():
    from chalicelib.config import get_settings
    from chalicelib.storage import base
    from chalicelib.storage.clients import dynamodb_client, dynamodb_resource

    sent: dict[str, dict] = {}

    def capture(model, params, **kwargs):
        sent[model.name] = json.loads(params["body"] or b"{}")

    meter = _meter()
    clients = [dynamodb_client(), dynamodb_resource().meta.client]  # PutItem/GetItem/Query use the second
    for c in clients:
        c.meta.events.register("before-call.dynamodb", capture)
    try:
        with meter.flow("probe"):
            base.put({"pk": "CAP#1", "sk": "A", "d": "x"})
            base.get_item("CAP#1", "A")
            base.query("CAP#1")
            base.transact([base.tx_put({"pk": "CAP#2", "sk": "A"})])
        clients[0].describe_table(TableName=get_settings().table_name)
    finally:
        for c in clients:
            c.meta.events.unregister("before-call.dynamodb", capture)
        meter.detach()
    for op in ("PutItem", "GetItem", "Query", "TransactWriteItems"):
        assert sent[op]["ReturnConsumedCapacity"] == "INDEXES", op
    assert "ReturnConsumedCapacity" not in sent["DescribeTable"]
    assert meter.requests["probe"] == {"PutItem": 1, "GetItem": 1, "Query": 1, "TransactWriteItems": 1}


@pytest.mark.skipif(
    not DDB_LOCAL,
    reason="moto reports a constant ConsumedCapacity; run with " "FIELDDESK_TEST_DB=ddb-local (make test-ddb)",
)
def test_a_known_put_is_summed_by_table_and_index():
    from chalicelib.config import get_settings
    from chalicelib.storage import base

    meter = _meter()
    try:
        with meter.flow("put"):
            base.put({"pk": "CAP#3", "sk": "A", "gsi1pk": "CAPIDX", "gsi1sk": "1", "d": PAD})
        with meter.flow("tx put"):
            base.transact([base.tx_put({"pk": "CAP#4", "sk": "A", "d": "y" * 500})])
        with meter.flow("miss"):
            base.get_item("CAP#nothing", "A")
    finally:
        meter.detach()
    table = get_settings().table_name
    assert dict(meter.engine["put"]) == {(table, "write"): 3.0, (f"{table}/gsi1", "write"): 3.0}
    assert dict(meter.model["put"]) == dict(meter.engine["put"])
    assert dict(meter.engine["tx put"]) == {(table, "write"): 2.0} == dict(meter.model["tx put"])
    assert dict(meter.engine["miss"]) == {(table, "read"): 0.5} == dict(meter.model["miss"])
    assert meter.totals("put") == {
        "rcu": 0.0,
        "wcu": 6.0,
        "table_wcu": 3.0,
        "index_wcu": 3.0,
        "table_rcu": 0.0,
        "index_rcu": 0.0,
    }


def test_the_benchmark_skips_in_one_line_without_dynamodb_local():
    # A subprocess: bench.harness sets the benchmark's environment at import.
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, bench.capacity as c\n"
        "from infra import ddb_local\n"
        "def no_java(*a, **k): raise ddb_local.InstallError('`java` is missing and cannot be installed here')\n"
        "ddb_local.install = no_java\n"
        "sys.exit(c.main(10, 0.1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "skipped: DynamoDB Local cannot be installed (`java` is missing and cannot be installed here); "
        "capacity needs Java 17 and npm (`make ddb-local`)"
    ]
