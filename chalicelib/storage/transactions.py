"""Transactions: the Put, Update and ConditionCheck operations, and the one all-or-nothing request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config import get_settings
from .clients import dynamodb_client
from .item_codec import serialize, with_expression_attributes
from .request_errors import client_errors, raise_from


def tx_put(
    item: dict,
    condition: str | None = "attribute_not_exists(pk)",
    names: dict | None = None,
    values: dict | None = None,
) -> dict:
    op: dict[str, Any] = {"TableName": get_settings().table_name, "Item": serialize(item)}
    if condition:
        op["ConditionExpression"] = condition
    with_expression_attributes(op, names, values)
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
        "Key": serialize({"pk": pk, "sk": sk}),
        "UpdateExpression": expression,
    }
    with_expression_attributes(op, names, values)
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def tx_check(pk: str, sk: str, condition: str, *, names: dict | None = None, values: dict | None = None) -> dict:
    op: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "Key": serialize({"pk": pk, "sk": sk}),
        "ConditionExpression": condition,
    }
    with_expression_attributes(op, names, values)
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
    except client_errors() as err:
        raise_from(err)
