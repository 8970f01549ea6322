"""The attribute-value codec that replaced boto3's TypeSerializer/TypeDeserializer on the cold-start path
(chalicelib/storage/attribute_values.py) answers exactly as boto3 does for every value FieldDesk stores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.storage import attribute_values

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**20), max_value=10**20),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20), st.binary(min_size=1, max_size=8))
sets = st.one_of(
    st.frozensets(st.text(max_size=5), min_size=1, max_size=4),
    st.frozensets(st.integers(-1000, 1000), min_size=1, max_size=4),
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12,
)


def _plain(value):
    """boto3 wraps binary in Binary and answers sets as set: compare like with like."""
    if isinstance(value, Binary):
        return bytes(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {_plain(v) for v in value}
    return value


def _canonical(attr):
    """Set members come in set order: sort them so two encodings of one set compare equal."""
    if isinstance(attr, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else _canonical(v) for k, v in attr.items()}
    if isinstance(attr, list):
        return [_canonical(v) for v in attr]
    return attr


@given(values)
def test_writing_matches_boto3(value):
    assert _canonical(attribute_values.serialize(value)) == _canonical(TypeSerializer().serialize(value))


@given(values)
def test_reading_matches_boto3_and_round_trips(value):
    encoded = TypeSerializer().serialize(value)
    decoded = attribute_values.deserialize(encoded)
    assert _plain(decoded) == _plain(TypeDeserializer().deserialize(encoded))
    assert attribute_values.deserialize(attribute_values.serialize(decoded)) == decoded


@pytest.mark.parametrize(
    "value", [1.5, object(), {1, "a"}, Decimal("1.00000000000000000000000000000000000000001"), Decimal("1E+200")]
)
def test_what_dynamodb_cannot_hold_is_refused_as_by_boto3(value):
    with pytest.raises(Exception) as theirs:
        TypeSerializer().serialize(value)
    with pytest.raises(type(theirs.value)):
        attribute_values.serialize(value)


def test_an_empty_set_is_sent_as_boto3_sends_it():
    assert attribute_values.serialize(set()) == TypeSerializer().serialize(set()) == {"NS": []}
