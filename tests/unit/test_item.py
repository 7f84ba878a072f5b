"""The item contract: how a request becomes an item, its references, its transitions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from intake_common.domain.item import (
    ChangeStatus,
    RequestItem,
    StatusChange,
    parse_reference,
    reference_for,
)
from tests.support.builders import NOW, stored


def test_a_reference_is_stable_readable_and_typed_any_way() -> None:
    key = uuid.uuid4()
    reference = reference_for(key)

    assert reference == reference_for(str(key))
    assert len(reference) == 9
    assert reference[4] == "-"
    assert not set(reference) & set("ILOU")
    assert parse_reference(reference.lower().replace("-", "")) == reference
    assert parse_reference("k7q2 93xd") == "K7Q2-93XD"  # read out on the phone, typed with a space
    assert parse_reference("K7Q2--93XD") is None
    assert parse_reference("K7Q2-93XO") == "K7Q2-93X0"  # O typed for zero


def test_the_item_round_trips_through_its_stored_attributes() -> None:
    item = stored(preferred_date=None, reason=None)

    attributes = item.attributes()

    for absent in ("reason", "preferred_date", "history", "smoke_test"):
        assert absent not in attributes
    assert RequestItem.model_validate(attributes) == item


def test_a_status_change_must_be_one_the_request_may_make() -> None:
    with pytest.raises(ValueError, match="cannot become"):
        ChangeStatus(StatusChange(at="t", by="x", from_="closed", to="contacted"))
    assert stored(now=NOW).may_become("contacted")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"website": "http://spam.example"},
        {"reason": "I want to die", "confirmation_email": True},
        {"preferred_date": "2026-12-24", "preferred_contact": "text", "sms_consent": True},
    ],
)
def test_a_new_item_is_exactly_what_validation_makes_of_it(overrides: dict[str, Any]) -> None:
    # RequestItem.new builds the item without validating it again: it must be the same item
    # that validation makes, field by field and type by type.
    item = stored(**overrides)

    assert RequestItem.model_validate(item.model_dump(by_alias=True)) == item
    assert RequestItem.model_validate(item.attributes()) == item
