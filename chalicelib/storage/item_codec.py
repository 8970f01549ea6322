"""Items between FieldDesk's records and the table: values DynamoDB can hold, and key attributes stripped.

One low-level client: items are (de)serialized here, as the boto3 resource would (attribute_values.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, overload

from . import attribute_values

KEY_ATTRS = {"pk", "sk"} | {f"gsi{i}{p}" for i in range(1, 7) for p in ("pk", "sk")}

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


def serialize(value: dict) -> dict:
    return {k: attribute_values.serialize(v) for k, v in to_dynamo(value).items()}


def deserialize(item: dict) -> dict:
    return {k: attribute_values.deserialize(v) for k, v in item.items()}


def with_expression_attributes(request: dict[str, Any], names: dict | None, values: dict | None) -> dict[str, Any]:
    """`request` with its expression's attribute names and values, each only when given: DynamoDB refuses an
    empty ExpressionAttributeNames or ExpressionAttributeValues."""
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = serialize(values)
    return request
