"""Thin helpers over the single FieldDesk table.

Area repositories (storage/<area>.py) build items with `keys` and call these.
ClientError codes become domain exceptions here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Iterable

from ..errors import ConditionFailed, TooManyRequests, Unavailable
from .clients import dynamodb_client, dynamodb_resource, main_table
from ..config import get_settings

KEY_ATTRS = {"pk", "sk"} | {f"gsi{i}{p}" for i in range(1, 7) for p in ("pk", "sk")}


class TransactionCancelled(ConditionFailed):
    """A transaction lost a condition. `reasons` has one code per item ("None" if fine)."""

    def __init__(self, reasons: list[str]):
        super().__init__("a conditional write was refused")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


@dataclass
class Page:
    items: list[dict]
    last_key: dict | None = None
    scanned: int = 0
    extra: dict = field(default_factory=dict)


_DYNAMO_SMALLEST = Decimal("1E-130")


def to_dynamo(value: Any) -> Any:
    """Floats become Decimal (DynamoDB has no float), dates ISO strings; None values are dropped."""
    if isinstance(value, float):
        number = Decimal(str(value))
        # DynamoDB numbers span 1E-130..9.9E+125: a smaller magnitude is stored as 0, not refused with a 500.
        return Decimal(0) if abs(number) < _DYNAMO_SMALLEST else number
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [to_dynamo(v) for v in value]
    return value


def strip_keys(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {k: v for k, v in item.items() if k not in KEY_ATTRS}


def _raise_from(err) -> None:
    code = err.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        raise ConditionFailed("a conditional write was refused") from err
    if code == "TransactionCanceledException":
        reasons = [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]
        if any(r in ("ThrottlingError", "ProvisionedThroughputExceeded") for r in reasons):
            raise TooManyRequests("the database is busy, retry shortly") from err
        raise TransactionCancelled(reasons) from err
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"):
        raise TooManyRequests("the database is busy, retry shortly") from err
    if code == "TransactionConflictException":
        raise ConditionFailed("a concurrent change won, retry") from err
    raise Unavailable("the database refused the request") from err


def _client_error():
    from botocore.exceptions import ClientError

    return ClientError


def get_item(pk: str, sk: str, *, consistent: bool = False) -> dict | None:
    try:
        return main_table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent).get("Item")
    except _client_error() as err:
        _raise_from(err)


def batch_get(keys: list[tuple[str, str]], projection: str | None = None, *, consistent: bool = False,
              names: dict | None = None) -> list[dict]:
    """Items for many keys, 100 per request, unprocessed keys retried."""
    out: list[dict] = []
    resource = dynamodb_resource()
    name = get_settings().table_name
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {"Keys": [{"pk": pk, "sk": sk} for pk, sk in keys[start:start + 100]]}
        if projection:
            request["ProjectionExpression"] = projection
        if consistent:
            request["ConsistentRead"] = True
        if names:
            request["ExpressionAttributeNames"] = names
        pending = {name: request}
        while pending:
            try:
                resp = resource.batch_get_item(RequestItems=pending)
            except _client_error() as err:
                _raise_from(err)
            out.extend(resp["Responses"].get(name, []))
            pending = resp.get("UnprocessedKeys") or {}
    return out


def put(item: dict) -> None:
    try:
        main_table().put_item(Item=to_dynamo(item))
    except _client_error() as err:
        _raise_from(err)


def put_new(item: dict, *, condition: str = "attribute_not_exists(pk)", names: dict | None = None,
            values: dict | None = None) -> None:
    kwargs: dict[str, Any] = {"Item": to_dynamo(item), "ConditionExpression": condition}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = to_dynamo(values)
    try:
        main_table().put_item(**kwargs)
    except _client_error() as err:
        _raise_from(err)


def update(pk: str, sk: str, expression: str, *, names: dict | None = None, values: dict | None = None,
           condition: str | None = None, return_values: str = "ALL_NEW") -> dict:
    kwargs: dict[str, Any] = {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": expression,
                              "ReturnValues": return_values}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = to_dynamo(values)
    if condition:
        kwargs["ConditionExpression"] = condition
    try:
        return main_table().update_item(**kwargs).get("Attributes", {})
    except _client_error() as err:
        _raise_from(err)


def query(pk_value: str, *, index: str | None = None, sk_begins: str | None = None,
          sk_between: tuple[str, str] | None = None, sk_gte: str | None = None, sk_lte: str | None = None,
          limit: int | None = None, start_key: dict | None = None, newest_first: bool = False,
          consistent: bool = False, filter_expression=None) -> Page:
    """One page of a key-condition query. `index` is None or "gsi1".."gsi6"."""
    from boto3.dynamodb.conditions import Key

    pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
    cond = Key(pk_name).eq(pk_value)
    if sk_begins is not None:
        cond &= Key(sk_name).begins_with(sk_begins)
    elif sk_between is not None:
        cond &= Key(sk_name).between(*sk_between)
    elif sk_gte is not None:
        cond &= Key(sk_name).gte(sk_gte)
    elif sk_lte is not None:
        cond &= Key(sk_name).lte(sk_lte)
    kwargs: dict[str, Any] = {"KeyConditionExpression": cond, "ScanIndexForward": not newest_first}
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if limit:
        kwargs["Limit"] = limit
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    if filter_expression is not None:
        kwargs["FilterExpression"] = filter_expression
    try:
        resp = main_table().query(**kwargs)
    except _client_error() as err:
        _raise_from(err)
    return Page(items=resp.get("Items", []), last_key=resp.get("LastEvaluatedKey"),
                scanned=resp.get("ScannedCount", 0))


def query_records(pk_value: str, **kwargs) -> Page:
    """One page of a query with the key attributes stripped: records, as callers want them."""
    page = query(pk_value, **kwargs)
    page.items = [strip_keys(i) for i in page.items]
    return page


def query_kept(pk_value: str, keep: Callable[[dict], bool], *, limit: int, start_key: dict | None = None,
               index: str | None = None, **kwargs) -> Page:
    """A full page of the records `keep` accepts: reads on until `limit` are kept or the partition ends.

    A filter on one page of a query returns short or empty pages with a next token; a person paging a
    list with a filter (a supervisor's critical items) would see gaps. The next token is the last kept
    item's key, so the following page starts right after it."""
    kept: list[dict] = []
    start = start_key
    while True:
        page = query(pk_value, index=index, limit=limit, start_key=start, **kwargs)
        for item in page.items:
            if not keep(strip_keys(item)):
                continue
            kept.append(item)
            if len(kept) == limit:
                names = ["pk", "sk"] + ([f"{index}pk", f"{index}sk"] if index else [])
                last = {n: item[n] for n in names}
                more = item is not page.items[-1] or page.last_key is not None
                return Page([strip_keys(i) for i in kept], last if more else None)
        start = page.last_key
        if not start:
            return Page([strip_keys(i) for i in kept], None)


def query_all(pk_value: str, **kwargs) -> list[dict]:
    """Every page of a query. For bounded partitions only (a branch's staff, a day's bucket)."""
    items: list[dict] = []
    start = None
    while True:
        page = query(pk_value, start_key=start, **kwargs)
        items.extend(page.items)
        start = page.last_key
        if not start:
            return items


# --- transactions --------------------------------------------------------------
_serializer = None


def _serialize(value: dict) -> dict:
    global _serializer
    if _serializer is None:
        from boto3.dynamodb.types import TypeSerializer

        _serializer = TypeSerializer()
    return {k: _serializer.serialize(v) for k, v in to_dynamo(value).items()}


def tx_put(item: dict, condition: str | None = "attribute_not_exists(pk)", names: dict | None = None,
           values: dict | None = None) -> dict:
    op: dict[str, Any] = {"TableName": get_settings().table_name, "Item": _serialize(item)}
    if condition:
        op["ConditionExpression"] = condition
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    return {"Put": op}


def tx_update(pk: str, sk: str, expression: str, *, names: dict | None = None, values: dict | None = None,
              condition: str | None = None) -> dict:
    op: dict[str, Any] = {"TableName": get_settings().table_name, "Key": _serialize({"pk": pk, "sk": sk}),
                          "UpdateExpression": expression}
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def tx_check(pk: str, sk: str, condition: str, *, names: dict | None = None, values: dict | None = None) -> dict:
    op: dict[str, Any] = {"TableName": get_settings().table_name, "Key": _serialize({"pk": pk, "sk": sk}),
                          "ConditionExpression": condition}
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    return {"ConditionCheck": op}


def transact(operations: Iterable[dict]) -> None:
    """All or nothing, one request. Raises TransactionCancelled with per-item reasons."""
    ops = list(operations)
    try:
        dynamodb_client().transact_write_items(TransactItems=ops)
    except _client_error() as err:
        _raise_from(err)
