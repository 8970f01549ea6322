"""Key-condition queries: one page (`Page`, with the key to start the next), a full filtered page, or all pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import get_settings
from .clients import dynamodb_client
from .item_codec import deserialize, serialize, strip_keys
from .request_errors import client_errors, raise_from


@dataclass
class Page:
    items: list[dict]
    last_key: dict | None = None
    scanned: int = 0
    extra: dict = field(default_factory=dict)


def _table() -> str:
    return get_settings().table_name


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
    kwargs["ExpressionAttributeValues"] = serialize(values)
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if limit:
        kwargs["Limit"] = limit
    if start_key:
        kwargs["ExclusiveStartKey"] = serialize(start_key)
    try:
        resp = dynamodb_client().query(**kwargs)
    except client_errors() as err:
        raise_from(err)
    last = resp.get("LastEvaluatedKey")
    return Page(
        items=[deserialize(i) for i in resp.get("Items", [])],
        last_key=deserialize(last) if last else None,
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
