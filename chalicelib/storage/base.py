"""Thin helpers over the single FieldDesk table.

Area repositories (storage/<area>.py) build items with `keys` and call these.
ClientError codes (and requests left unanswered) become domain exceptions here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NoReturn, overload

from ..config import get_settings
from ..errors import ConditionFailed, TooManyRequests, Unavailable
from . import attribute_values
from .clients import dynamodb_client

KEY_ATTRS = {"pk", "sk"} | {f"gsi{i}{p}" for i in range(1, 7) for p in ("pk", "sk")}


class TransactionCancelled(ConditionFailed):
    """A transaction lost a condition. `reasons` has one code per item ("None" if fine)."""

    def __init__(self, reasons: list[str]):
        super().__init__("a conditional write was refused")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


class WriteConflict(ConditionFailed):
    """A concurrent transaction held the item (TransactionConflictException): nothing was written, retry.
    A ConditionFailed, as before, so every caller that retried on it still does."""


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


@overload
def strip_keys(item: dict) -> dict: ...
@overload
def strip_keys(item: None) -> None: ...
def strip_keys(item: dict | None) -> dict | None:
    if item is None:
        return None
    return {k: v for k, v in item.items() if k not in KEY_ATTRS}


def _raise_from(err: Exception) -> NoReturn:
    if not hasattr(err, "response"):  # no answer: a timeout or a connection lost (the request may have landed)
        raise Unavailable("the database did not answer") from err
    code = err.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        refused = ConditionFailed("a conditional write was refused")
        if "Item" in err.response:  # asked for with ReturnValuesOnConditionCheckFailure
            refused.item = _deserialize(err.response["Item"])
        raise refused from err
    if code == "TransactionCanceledException":
        reasons = [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]
        if any(r in ("ThrottlingError", "ProvisionedThroughputExceeded") for r in reasons):
            raise TooManyRequests("the database is busy, retry shortly") from err
        raise TransactionCancelled(reasons) from err
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"):
        raise TooManyRequests("the database is busy, retry shortly") from err
    if code == "TransactionConflictException":
        raise WriteConflict("a concurrent change won, retry") from err
    raise Unavailable("the database refused the request") from err


def _client_error() -> tuple[type[Exception], ...]:
    """What a request can raise: an answer (ClientError) or none (botocore's HTTP and connection errors,
    which reach the caller once botocore's retries are spent: a 503, not a 500, for the API)."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    return ClientError, ConnectionError, HTTPClientError


# --- one low-level client: items (de)serialized here, as the boto3 resource would (attribute_values.py) ---
def _serialize(value: dict) -> dict:
    return {k: attribute_values.serialize(v) for k, v in to_dynamo(value).items()}


def _deserialize(item: dict) -> dict:
    return {k: attribute_values.deserialize(v) for k, v in item.items()}


def _table() -> str:
    return get_settings().table_name


def get_item(pk: str, sk: str, *, consistent: bool = False) -> dict | None:
    try:
        item = (
            dynamodb_client()
            .get_item(TableName=_table(), Key=_serialize({"pk": pk, "sk": sk}), ConsistentRead=consistent)
            .get("Item")
        )
    except _client_error() as err:
        _raise_from(err)
    return _deserialize(item) if item is not None else None


def batch_get(
    keys: list[tuple[str, str]], projection: str | None = None, *, consistent: bool = False, names: dict | None = None
) -> list[dict]:
    """Items for many keys, 100 per request, unprocessed keys retried."""
    out: list[dict] = []
    client = dynamodb_client()
    name = _table()
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {"Keys": [_serialize({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]]}
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
            except _client_error() as err:
                _raise_from(err)
            out.extend(_deserialize(i) for i in resp["Responses"].get(name, []))
            pending = resp.get("UnprocessedKeys") or {}
    return out


def batch_put(items: Iterable[dict]) -> None:
    """Whole-item puts, 25 per request, unprocessed items retried (for idempotent rewrites only)."""
    client = dynamodb_client()
    name = _table()
    # BatchWriteItem refuses two puts of one key in a request: the last one wins, as a rewrite would.
    unique = {(i["pk"], i["sk"]): i for i in items}
    batch = [{"PutRequest": {"Item": _serialize(i)}} for i in unique.values()]
    for start in range(0, len(batch), 25):
        pending: dict = {name: batch[start : start + 25]}
        while pending:
            try:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            except _client_error() as err:
                _raise_from(err)


def put(item: dict) -> None:
    try:
        dynamodb_client().put_item(TableName=_table(), Item=_serialize(item))
    except _client_error() as err:
        _raise_from(err)


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
    kwargs: dict[str, Any] = {"TableName": _table(), "Item": _serialize(item), "ConditionExpression": condition}
    if return_old:
        kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = _serialize(values)
    try:
        dynamodb_client().put_item(**kwargs)
    except _client_error() as err:
        _raise_from(err)


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
        "Key": _serialize({"pk": pk, "sk": sk}),
        "UpdateExpression": expression,
        "ReturnValues": return_values,
    }
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = _serialize(values)
    if condition:
        kwargs["ConditionExpression"] = condition
    try:
        return _deserialize(dynamodb_client().update_item(**kwargs).get("Attributes", {}))
    except _client_error() as err:
        _raise_from(err)


def query(
    pk_value: str,
    *,
    index: str | None = None,
    sk_begins: str | None = None,
    sk_between: tuple[str, str] | None = None,
    sk_gte: str | None = None,
    sk_lte: str | None = None,
    limit: int | None = None,
    start_key: dict | None = None,
    newest_first: bool = False,
    consistent: bool = False,
    filter_expression=None,
) -> Page:
    """One page of a key-condition query. `index` is None or "gsi1".."gsi6".

    `filter_expression` is a boto3 condition (`Attr("kind").eq(...)`), built here into the request's
    expression strings: the low-level client is the only DynamoDB client a container builds."""
    pk_name, sk_name = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
    expression = "#pk = :pk"
    names = {"#pk": pk_name}
    values: dict[str, Any] = {":pk": pk_value}
    if sk_between is not None and sk_begins is None:
        expression += " AND #sk BETWEEN :sk_low AND :sk_high"
        values[":sk_low"], values[":sk_high"] = sk_between
    else:
        bound = next(
            (
                (c, v)
                for c, v in (("begins_with(#sk, :sk)", sk_begins), ("#sk >= :sk", sk_gte), ("#sk <= :sk", sk_lte))
                if v is not None
            ),
            None,
        )
        if bound:
            expression += " AND " + bound[0]
            values[":sk"] = bound[1]
    if " AND " in expression:
        names["#sk"] = sk_name
    kwargs: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": expression,
        "ScanIndexForward": not newest_first,
    }
    if filter_expression is not None:
        from boto3.dynamodb.conditions import ConditionExpressionBuilder

        built = ConditionExpressionBuilder().build_expression(filter_expression)
        kwargs["FilterExpression"] = built.condition_expression
        names.update(built.attribute_name_placeholders)
        values.update(built.attribute_value_placeholders)
    kwargs["ExpressionAttributeNames"] = names
    kwargs["ExpressionAttributeValues"] = _serialize(values)
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if limit:
        kwargs["Limit"] = limit
    if start_key:
        kwargs["ExclusiveStartKey"] = _serialize(start_key)
    try:
        resp = dynamodb_client().query(**kwargs)
    except _client_error() as err:
        _raise_from(err)
    last = resp.get("LastEvaluatedKey")
    return Page(
        items=[_deserialize(i) for i in resp.get("Items", [])],
        last_key=_deserialize(last) if last else None,
        scanned=resp.get("ScannedCount", 0),
    )


def query_records(pk_value: str, **kwargs) -> Page:
    """One page of a query with the key attributes stripped: records, as callers want them."""
    page = query(pk_value, **kwargs)
    page.items = [strip_keys(i) for i in page.items]
    return page


def query_kept(
    pk_value: str,
    keep: Callable[[dict], bool],
    *,
    limit: int,
    start_key: dict | None = None,
    index: str | None = None,
    **kwargs,
) -> Page:
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
def tx_put(
    item: dict,
    condition: str | None = "attribute_not_exists(pk)",
    names: dict | None = None,
    values: dict | None = None,
) -> dict:
    op: dict[str, Any] = {"TableName": get_settings().table_name, "Item": _serialize(item)}
    if condition:
        op["ConditionExpression"] = condition
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    return {"Put": op}


def tx_update(
    pk: str,
    sk: str,
    expression: str,
    *,
    names: dict | None = None,
    values: dict | None = None,
    condition: str | None = None,
) -> dict:
    op: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "Key": _serialize({"pk": pk, "sk": sk}),
        "UpdateExpression": expression,
    }
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def tx_check(pk: str, sk: str, condition: str, *, names: dict | None = None, values: dict | None = None) -> dict:
    op: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "Key": _serialize({"pk": pk, "sk": sk}),
        "ConditionExpression": condition,
    }
    if names:
        op["ExpressionAttributeNames"] = names
    if values:
        op["ExpressionAttributeValues"] = _serialize(values)
    return {"ConditionCheck": op}


def transact(operations: Iterable[dict], *, token: str | None = None) -> None:
    """All or nothing, one request. Raises TransactionCancelled with per-item reasons.

    `token` (ClientRequestToken, at most 36 characters): a transaction that landed but whose answer was lost
    and that botocore sends again succeeds again instead of failing its conditions (DynamoDB keeps the
    token 10 minutes), so the caller counts what it wrote exactly once."""
    ops = list(operations)
    extra: dict[str, Any] = {"ClientRequestToken": token} if token else {}
    try:
        dynamodb_client().transact_write_items(TransactItems=ops, **extra)
    except _client_error() as err:
        _raise_from(err)
