"""One item at a time, and batches of them: reads, whole-item puts, conditional puts and updates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config import get_settings
from .clients import dynamodb_client
from .item_codec import deserialize, serialize, with_expression_attributes
from .request_errors import client_errors, raise_from


def _table() -> str:
    return get_settings().table_name


def get_item(pk: str, sk: str, *, consistent: bool = False) -> dict | None:
    try:
        item = (
            dynamodb_client()
            .get_item(TableName=_table(), Key=serialize({"pk": pk, "sk": sk}), ConsistentRead=consistent)
            .get("Item")
        )
    except client_errors() as err:
        raise_from(err)
    return deserialize(item) if item is not None else None


def batch_get(
    keys: list[tuple[str, str]], projection: str | None = None, *, consistent: bool = False, names: dict | None = None
) -> list[dict]:
    """Items for many keys, 100 per request, unprocessed keys retried."""
    out: list[dict] = []
    client = dynamodb_client()
    name = _table()
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {"Keys": [serialize({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]]}
        if projection:
            request["ProjectionExpression"] = projection
        if consistent:
            request["ConsistentRead"] = True
        if names:
            request["ExpressionAttributeNames"] = names
        pending = {name: request}
        while pending:
            try:
                resp = client.batch_get_item(RequestItems=pending)
            except client_errors() as err:
                raise_from(err)
            out.extend(deserialize(i) for i in resp["Responses"].get(name, []))
            pending = resp.get("UnprocessedKeys") or {}
    return out


def batch_put(items: Iterable[dict]) -> None:
    """Whole-item puts, 25 per request, unprocessed items retried (for idempotent rewrites only)."""
    client = dynamodb_client()
    name = _table()
    # BatchWriteItem refuses two puts of one key in a request: the last one wins, as a rewrite would.
    unique = {(i["pk"], i["sk"]): i for i in items}
    batch = [{"PutRequest": {"Item": serialize(i)}} for i in unique.values()]
    for start in range(0, len(batch), 25):
        pending: dict = {name: batch[start : start + 25]}
        while pending:
            try:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            except client_errors() as err:
                raise_from(err)


def put(item: dict) -> None:
    try:
        dynamodb_client().put_item(TableName=_table(), Item=serialize(item))
    except client_errors() as err:
        raise_from(err)


def put_new(
    item: dict,
    *,
    condition: str = "attribute_not_exists(pk)",
    names: dict | None = None,
    values: dict | None = None,
    return_old: bool = False,
) -> None:
    """A conditional put. `return_old`: a refusal's ConditionFailed carries the item that refused it
    (`.item`), read in the same request (ReturnValuesOnConditionCheckFailure)."""
    kwargs: dict[str, Any] = {"TableName": _table(), "Item": serialize(item), "ConditionExpression": condition}
    if return_old:
        kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    with_expression_attributes(kwargs, names, values)
    try:
        dynamodb_client().put_item(**kwargs)
    except client_errors() as err:
        raise_from(err)


def update(
    pk: str,
    sk: str,
    expression: str,
    *,
    names: dict | None = None,
    values: dict | None = None,
    condition: str | None = None,
    return_values: str = "ALL_NEW",
) -> dict:
    kwargs: dict[str, Any] = {
        "TableName": _table(),
        "Key": serialize({"pk": pk, "sk": sk}),
        "UpdateExpression": expression,
        "ReturnValues": return_values,
    }
    with_expression_attributes(kwargs, names, values)
    if condition:
        kwargs["ConditionExpression"] = condition
    try:
        return deserialize(dynamodb_client().update_item(**kwargs).get("Attributes", {}))
    except client_errors() as err:
        raise_from(err)
