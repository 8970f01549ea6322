"""DynamoDB's hard limits at their boundaries: what the storage code must stay within.

Run by `make test` on moto and by `make test-ddb` on Amazon DynamoDB Local. Where moto does
not enforce a limit the test says so with a reason (docs/dynamodb-local.md lists them).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import DDB_LOCAL

ITEM_LIMIT = 400 * 1024
MOTO_LIMIT = (
    "moto does not enforce this DynamoDB limit (docs/dynamodb-local.md, 'moto limitations'); make test-ddb checks it"
)


def _client_and_table():
    from chalicelib.config import get_settings
    from chalicelib.storage.clients import dynamodb_client

    return dynamodb_client(), get_settings().table_name


def item_of(size: int, pk: str = "LIMIT#1", sk: str = "X") -> dict:
    """An item whose DynamoDB size (attribute names + UTF-8 values) is exactly `size` bytes."""
    overhead = len("pk") + len(pk) + len("sk") + len(sk) + len("d")
    return {"pk": {"S": pk}, "sk": {"S": sk}, "d": {"S": "x" * (size - overhead)}}


def _code(call) -> str:
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"]


def test_an_item_of_exactly_400_kb_is_stored_and_one_byte_more_is_refused():
    if not DDB_LOCAL:
        pytest.skip("moto sizes items its own way and refuses any item above 405,000 bytes (docs/dynamodb-local.md)")
    client, table = _client_and_table()
    client.put_item(TableName=table, Item=item_of(ITEM_LIMIT))
    stored = client.get_item(TableName=table, Key={"pk": {"S": "LIMIT#1"}, "sk": {"S": "X"}})["Item"]
    assert len(stored["d"]["S"]) == ITEM_LIMIT - len("pkLIMIT#1skXd")
    assert (
        _code(lambda: client.put_item(TableName=table, Item=item_of(ITEM_LIMIT + 1, sk="Y"))) == "ValidationException"
    )


def test_a_transaction_takes_100_items_and_refuses_101():
    client, table = _client_and_table()
    puts = [{"Put": {"TableName": table, "Item": {"pk": {"S": "TX#100"}, "sk": {"S": f"{i:03d}"}}}} for i in range(101)]
    client.transact_write_items(TransactItems=puts[:100])
    assert (
        len(
            client.query(
                TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "TX#100"}}
            )["Items"]
        )
        == 100
    )
    for p in puts:
        p["Put"]["Item"]["sk"]["S"] += "b"
    assert _code(lambda: client.transact_write_items(TransactItems=puts)) == "ValidationException"


def test_a_transaction_of_more_than_4_mb_is_refused():
    client, table = _client_and_table()
    size = ITEM_LIMIT if DDB_LOCAL else 405_000  # moto's own item limit (see above)
    ok = [{"Put": {"TableName": table, "Item": item_of(size, pk="TX#4MB", sk=f"{i:02d}")}} for i in range(10)]
    client.transact_write_items(TransactItems=ok)  # 10 x 400 KB = 4,096,000 bytes, under 4 MiB
    too_big = [{"Put": {"TableName": table, "Item": item_of(390_000, pk="TX#4MB+", sk=f"{i:02d}")}} for i in range(11)]
    if not DDB_LOCAL:
        try:
            client.transact_write_items(TransactItems=too_big)
        except ClientError:
            pass
        else:
            pytest.skip(MOTO_LIMIT)
    assert _code(lambda: client.transact_write_items(TransactItems=too_big)) == "ValidationException"


def test_a_reserved_word_needs_a_name_placeholder():
    client, table = _client_and_table()
    key = {"pk": {"S": "RW#1"}, "sk": {"S": "X"}}
    code = _code(
        lambda: client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET status = :s",
            ExpressionAttributeValues={":s": {"S": "open"}},
        )
    )
    assert code == "ValidationException"
    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "open"}},
    )
    assert client.get_item(TableName=table, Key=key)["Item"]["status"] == {"S": "open"}


def test_an_expression_longer_than_4_kb_is_refused():
    if not DDB_LOCAL:
        pytest.skip(
            "moto's expression parser recurses per clause and overflows Python's stack on a 4 KB "
            "SET list (docs/dynamodb-local.md)"
        )
    client, table = _client_and_table()
    key = {"pk": {"S": "EXPR#1"}, "sk": {"S": "X"}}

    def update(n: int):
        names = {f"#a{i}": f"a{i}" for i in range(n)}
        values = {":v": {"S": "v"}}
        expr = "SET " + ", ".join(f"{k} = :v" for k in names)
        return expr, dict(
            TableName=table,
            Key=key,
            UpdateExpression=expr,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    n = 1
    while len(update(n + 1)[0]) <= 4096:
        n += 1
    expr, ok = update(n)
    assert len(expr) <= 4096
    client.update_item(**ok)
    expr, too_long = update(n + 40)
    assert len(expr) > 4096
    if not DDB_LOCAL:
        try:
            client.update_item(**too_long)
        except ClientError:
            pass
        else:
            pytest.skip(MOTO_LIMIT)
    assert _code(lambda: client.update_item(**too_long)) == "ValidationException"
