"""The functions' DynamoDB attribute codec (no boto3 at run time) writes and reads exactly what
boto3's TypeSerializer and TypeDeserializer do, for every type an item holds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from intake_common.aws.table import attribute, from_attributes, to_attributes, value_of

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
    st.text(max_size=20),
    st.binary(min_size=1, max_size=8),
)
_values = st.recursive(
    st.one_of(
        _scalars,
        st.frozensets(st.text(min_size=1, max_size=5), min_size=1, max_size=4).map(set),
        st.frozensets(st.integers(0, 10**6), min_size=1, max_size=4).map(set),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _sorted_sets(value: Any) -> Any:
    """boto3 writes a set in its iteration order; we sort: the same set either way."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        if kind in {"SS", "NS", "BS"}:
            return {kind: sorted(raw)}
        if kind == "L":
            return {"L": [_sorted_sets(v) for v in raw]}
        if kind == "M":
            return {"M": {k: _sorted_sets(v) for k, v in raw.items()}}
    return value


@given(_values)
def test_writes_what_boto3_writes(value: Any) -> None:
    assert _sorted_sets(attribute(value)) == _sorted_sets(TypeSerializer().serialize(value))


@given(_values)
def test_reads_what_boto3_reads(value: Any) -> None:
    wire: Any = TypeSerializer().serialize(value)
    assert value_of(wire) == TypeDeserializer().deserialize(wire)


def test_an_item_round_trips_with_numbers_as_decimal() -> None:
    item = {"expires_at": 1796051137, "urgent": True, "alerts": {"sms:+1": {"state": "sent"}}}

    assert from_attributes(to_attributes(item)) == {**item, "expires_at": Decimal(1796051137)}


@pytest.mark.parametrize("value", [1.5, set(), {1, "a"}, object()])
def test_what_dynamodb_cannot_store_is_refused_before_the_call(value: Any) -> None:
    # A float (boto3 refuses it too: precision), an empty set (DynamoDB refuses it), a mixed
    # set, anything else
    with pytest.raises(TypeError):
        attribute(value)
