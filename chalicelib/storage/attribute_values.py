"""DynamoDB's attribute-value JSON, both ways, without importing boto3.

Why not `boto3.dynamodb.types`: importing it runs `boto3/__init__`, which imports s3transfer and its
multiprocessing and urllib3 machinery, ~100 ms of every Lambda cold start for two small functions (issue 17 §7,
`python -m bench.cold_start`). Reading uses powertools' port of boto3's TypeDeserializer (the same
conversions, bytes for binary); writing is the mirror of boto3's TypeSerializer for the values FieldDesk
stores, with the same 38-digit number context. `tests/unit/test_attribute_values.py` holds both to boto3's
output."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.shared.dynamodb_deserializer import DYNAMODB_CONTEXT, TypeDeserializer

_deserializer = TypeDeserializer()


def _number(value: int | Decimal) -> str:
    # boto3: "Inexact and Rounded are trapped": a number DynamoDB cannot hold exactly is refused, not rounded
    return str(DYNAMODB_CONTEXT.create_decimal(value))


def _set(values: set | frozenset) -> dict:
    # an empty set passes here as {"NS": []}, as boto3 sends it; DynamoDB refuses it (a ValidationException)
    if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values):
        return {"NS": [_number(v) for v in values]}
    if all(isinstance(v, str) for v in values):
        return {"SS": list(values)}
    if all(isinstance(v, (bytes, bytearray)) for v in values):
        return {"BS": [bytes(v) for v in values]}
    raise TypeError(f"a set must hold only numbers, strings or bytes: {values!r}")


def serialize(value: Any) -> dict:
    """One Python value as an attribute value ({"S": ...}, {"N": ...}, ...); floats are refused, as by boto3
    (`base.to_dynamo` turns them into Decimal first)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: bool is an int
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, (set, frozenset)):
        return _set(value)
    if isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f"unsupported type {type(value).__name__} for DynamoDB: {value!r}")


def deserialize(value: dict) -> Any:
    return _deserializer.deserialize(value)
