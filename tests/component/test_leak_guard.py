"""The leak guard itself must be able to fail."""

from __future__ import annotations

import boto3
import pytest

from intake_local.template import LocalStack
from tests.support.leaks import LeakGuard
from tests.support.stack import REGION


def test_guard_finds_a_value_in_text_raw_json_escaped_or_as_phone_digits() -> None:
    guard = LeakGuard()
    guard.register({"full_name": "Zoë Secret", "phone": "(415) 555-0199", "visit_type": "new"})

    with pytest.raises(AssertionError, match="full_name"):
        guard.check("logs", '{"message": "Zo\\u00eb Secret"}')
    with pytest.raises(AssertionError, match="phone"):
        guard.check("logs", "called +14155550199")
    guard.check("logs", "visit_type new, alert sent")  # enum choices are not personal


def test_guard_finds_a_value_in_an_sns_message(aws: LocalStack) -> None:
    guard = LeakGuard()
    guard.register({"reason": "my private worry"})
    boto3.client("sns", region_name=REGION).publish(
        TopicArn=aws.physical["AlertTopic"], Message="about: my private worry"
    )

    with pytest.raises(AssertionError, match="SNS message"):
        guard.check_moto("123456789012", REGION)


def test_guard_allows_contact_details_but_never_the_reason_in_staff_email() -> None:
    guard = LeakGuard()
    guard.register({"full_name": "Ana Visible", "reason": "hidden reason"})
    guard.check("a staff email", "Name: Ana Visible", ("reason", "website"))
    with pytest.raises(AssertionError):
        guard.check("a staff email", "hidden reason", ("reason", "website"))


@pytest.mark.parametrize(
    ("fields", "leaked", "field"),
    [
        # A name typed in NFD (the e and its accent apart) leaks in NFC, and the other way.
        ({"full_name": "Zoe\u0301 Nakamura"}, "Zo\u00e9 Nakamura", "full_name"),
        ({"full_name": "Zo\u00e9 Nakamura"}, "Zoe\u0301 Nakamura", "full_name"),
        ({"full_name": "Marisol Ortega"}, "Hello Marisol,", "full_name"),  # the first name alone
        ({"email": "Ana.Ruiz@Example.ORG"}, "ana.ruiz@example.org", "email"),
        ({"email": "Ana.Ruiz@Example.ORG"}, "to Ana.Ruiz@example.org", "email"),
        ({"phone": "(415) 555-0199"}, "sms to +14155550199", "phone"),
        ({"note": "Lives with her mother"}, "note=Lives with her mother", "note"),
    ],
)
def test_guard_finds_normalised_values_first_names_and_staff_notes(
    fields: dict[str, str], leaked: str, field: str
) -> None:
    guard = LeakGuard()
    guard.register(fields)

    with pytest.raises(AssertionError, match=field):
        guard.check("logs", leaked)


def test_a_first_name_is_looked_for_as_a_word_only() -> None:
    guard = LeakGuard()
    guard.register({"full_name": "Caller Lindqvist"})

    guard.check("logs", "sts GetCallerIdentity 200")  # inside another word: not the name
    with pytest.raises(AssertionError, match="full_name"):
        guard.check("logs", "greeting: Caller,")


def test_guard_finds_the_stacks_secrets_anywhere_even_in_email() -> None:
    guard = LeakGuard()
    guard.register_secret("origin-secret-3f9a")

    with pytest.raises(AssertionError, match="secret"):
        guard.check("a staff email", "X-Origin-Verify: origin-secret-3f9a", ("reason", "secret"))
    guard.check("logs", "origin check passed")
