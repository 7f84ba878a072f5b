"""The item contract: how a request becomes an item, its references, its transitions."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from intake_common.domain.item import (
    ChangeStatus,
    RequestItem,
    RequestSummary,
    StatusChange,
    alert_channel,
    alert_key,
    alert_recipient,
    parse_reference,
    reference_for,
    timestamp,
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


def test_a_reference_typed_with_i_and_l_for_one_is_read_as_one() -> None:
    # Crockford's reading: staff who hear "one" may type I or L (either case).
    assert parse_reference("1ILl-OoQ0".replace("Q", "0")) == "1111-0000"
    assert parse_reference("k7qi-93xl") == "K7Q1-93X1"


def test_an_alert_name_splits_back_into_its_channel_and_recipient() -> None:
    for channel, recipient in [
        ("email", "frontdesk@clinic.example"),
        ("sms", "+14155550101"),
        ("confirmation", "visitor"),
        ("escalation-email", "odd:name@clinic.example"),  # only the first colon separates
    ]:
        key = alert_key(channel, recipient)
        assert (alert_channel(key), alert_recipient(key)) == (channel, recipient)


def test_timestamps_are_utc_whatever_the_machines_zone(elsewhere: None) -> None:
    # Stored moments sort as text only if they are all in one zone.
    assert timestamp(datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("America/New_York"))) == (
        "2026-11-30T14:00:00.000+00:00"
    )


def test_the_stored_attributes_are_plain_json_with_the_tables_names() -> None:
    change = StatusChange(at="2026-11-30T15:00:00+00:00", by="Dana", from_="new", to="contacted")
    item = ChangeStatus(change).applied(stored())

    attributes = item.attributes()

    assert json.loads(json.dumps(attributes)) == attributes  # lists, not tuples
    assert attributes["history"] == [
        {"at": "2026-11-30T15:00:00+00:00", "by": "Dana", "from": "new", "to": "contacted"}
    ]


def test_a_request_expires_at_the_second_its_retention_ends() -> None:
    item = stored()
    end = datetime.fromtimestamp(item.expires_at, UTC)

    assert not item.expired(end - timedelta(seconds=1))
    assert item.expired(end)
    summary = RequestSummary.model_validate(item.model_dump())
    assert not summary.expired(end - timedelta(seconds=1))
    assert summary.expired(end)


def test_the_first_contact_is_counted_only_for_a_request_that_came_in_as_new() -> None:
    first = StatusChange(at="2026-11-30T15:00:00+00:00", by="Dana", from_="new", to="contacted")
    later = StatusChange(at="2026-12-01T09:00:00+00:00", by="Lee", from_="contacted", to="closed")
    rescued = StatusChange(at="2026-12-01T10:00:00+00:00", by="Lee", from_="spam", to="contacted")

    item = ChangeStatus(first).applied(stored())
    assert item.first_contact_at == first.at
    assert ChangeStatus(later).applied(item).first_contact_at == first.at  # kept, not moved
    # A request filed as spam and called after all did not wait in the new list: the week's
    # time-to-first-contact figure leaves it out.
    spam = stored().model_copy(update={"status": "spam"})
    assert ChangeStatus(rescued).applied(spam).first_contact_at is None
