"""Each field's rule, valid and invalid: 422 names the field, stores nothing, echoes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from intake_local.template import LocalStack
from tests.support.aws import all_items, json_body
from tests.support.data import valid_fields
from tests.support.handlers import Invoke


def _errors(response: dict[str, Any]) -> dict[str, str]:
    assert response["statusCode"] == 422, response["body"]
    return {error["field"]: error["code"] for error in json_body(response)["errors"]}


@pytest.mark.parametrize(
    "name",
    [
        "A",
        "x" * 100,
        "  Ana  María  ",
        "José Ñúñez",
        "Zoë O'Connor-Smith, Jr.",
        "李小龙",
        "Мария Иванова",
        "محمد علي",
        "अनुराग कश्यप",
        "Ana’s",
    ],
)
def test_names_of_any_script_are_accepted(invoke: Invoke, name: str) -> None:
    assert invoke(valid_fields(full_name=name))["statusCode"] == 201


def test_name_is_trimmed_and_inner_spaces_collapsed(invoke: Invoke, aws: LocalStack) -> None:
    invoke(valid_fields(full_name="  Ana   María "))
    assert all_items(aws)[0]["full_name"] == "Ana María"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("x" * 101, "too_long"),
        ("Ana1", "name_characters"),
        ("<script>", "name_characters"),
        ("Ana\nBob", "control_characters"),
        ("Ana\x00", "control_characters"),
        ("Ana\u202eevil", "control_characters"),
        ("Ana\u200bBob", "control_characters"),
        ("--", "name_characters"),
    ],
)
def test_bad_names_are_refused(invoke: Invoke, aws: LocalStack, name: str, code: str) -> None:
    assert _errors(invoke(valid_fields(full_name=name))) == {"full_name": code}
    assert all_items(aws) == []


@pytest.mark.parametrize(
    "email", ["a@b.co", "ana.nunez+clinic@example.org", "x" * 64 + "@" + "d" * 60 + ".org"]
)
def test_valid_emails_are_accepted(invoke: Invoke, email: str) -> None:
    assert invoke(valid_fields(email=email))["statusCode"] == 201


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("", "required"),
        ("ana", "email_invalid"),
        ("ana@", "email_invalid"),
        ("ana@@example.org", "email_invalid"),
        ("a" * 250 + "@x.org", "too_long"),
        ("ana@example.org\r\nBcc: x@y.org", "control_characters"),
    ],
)
def test_bad_emails_are_refused(invoke: Invoke, email: str, code: str) -> None:
    assert _errors(invoke(valid_fields(email=email))) == {"email": code}


@pytest.mark.parametrize(
    ("phone", "e164"),
    [
        ("(415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("+1 415 555 2671", "+14155552671"),
        ("1-415-555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_formats_are_stored_in_e164(
    invoke: Invoke, aws: LocalStack, phone: str, e164: str
) -> None:
    assert invoke(valid_fields(phone=phone))["statusCode"] == 201
    assert all_items(aws)[0]["phone"] == e164


@pytest.mark.parametrize("phone", ["", "123", "555-0000", "+1 000 000 0000", "call me", "9" * 41])
def test_invalid_phones_are_refused(invoke: Invoke, phone: str) -> None:
    assert set(_errors(invoke(valid_fields(phone=phone)))) == {"phone"}


def test_text_contact_needs_sms_consent(invoke: Invoke) -> None:
    response = invoke(valid_fields(preferred_contact="text", sms_consent=False))
    assert _errors(response) == {"sms_consent": "sms_consent_required"}
    assert invoke(valid_fields(preferred_contact="text", sms_consent=True))["statusCode"] == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("preferred_contact", "fax"),
        ("visit_type", "maybe"),
        ("preferred_time", "midnight"),
        ("consent_version", "v 1 <b>"),
        ("consent_version", "x" * 33),
        ("submission_id", "not-a-uuid"),
        ("submission_id", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"),  # a v1 UUID
        ("full_name", 42),
        ("email", ["a@b.co"]),
        ("phone", {"n": 1}),
        ("sms_consent", "perhaps"),
    ],
)
def test_values_outside_the_rules_are_refused(invoke: Invoke, field: str, value: Any) -> None:
    assert set(_errors(invoke(valid_fields(**{field: value})))) == {field}


def test_consent_must_be_true(invoke: Invoke) -> None:
    assert _errors(invoke(valid_fields(consent=False))) == {"consent": "consent_required"}


def test_preferred_date_window(invoke: Invoke, today: date) -> None:
    for ok in (today, today + timedelta(days=1), today + timedelta(days=365)):
        response = invoke(valid_fields(preferred_date=ok.isoformat()))
        assert response["statusCode"] == 201, ok
    past = invoke(valid_fields(preferred_date=(today - timedelta(days=1)).isoformat()))
    assert _errors(past) == {"preferred_date": "date_in_past"}
    far = invoke(valid_fields(preferred_date=(today + timedelta(days=367)).isoformat()))
    assert _errors(far) == {"preferred_date": "date_too_far"}
    assert _errors(invoke(valid_fields(preferred_date="next tuesday"))) == {
        "preferred_date": "invalid"
    }


def test_reason_allows_newlines_up_to_1000_characters(invoke: Invoke) -> None:
    assert invoke(valid_fields(reason="a\n" * 500))["statusCode"] == 201
    assert _errors(invoke(valid_fields(reason="a" * 1001))) == {"reason": "too_long"}
    assert _errors(invoke(valid_fields(reason="tab\there"))) == {"reason": "control_characters"}


def test_required_fields_missing_are_each_named(invoke: Invoke) -> None:
    response = invoke({"submission_id": valid_fields()["submission_id"]})
    assert set(_errors(response)) == {
        "full_name",
        "email",
        "phone",
        "preferred_contact",
        "visit_type",
        "consent",
        "consent_version",
    }


def test_json_post_needs_a_submission_id(invoke: Invoke) -> None:
    fields = valid_fields()
    del fields["submission_id"]
    assert _errors(invoke(fields)) == {"submission_id": "required"}


@pytest.mark.parametrize("extra", ["status", "id", "alert_state"])
def test_unknown_fields_are_refused_without_naming_them_back(
    invoke: Invoke, aws: LocalStack, extra: str
) -> None:
    response = invoke(valid_fields(**{extra: "sent"}))
    assert _errors(response) == {"body": "extra_forbidden"}
    assert f'"{extra}"' not in response["body"]
    assert all_items(aws) == []


def test_error_messages_never_contain_the_submitted_values(invoke: Invoke) -> None:
    secrets = {
        "full_name": "Secretname9",
        "email": "secret-mail@@example.org",
        "phone": "555-SECRET",
        "reason": "S" * 1001,
        "consent_version": "SECRET VERSION!",
    }
    response = invoke(valid_fields(**secrets))
    assert response["statusCode"] == 422
    for value in secrets.values():
        assert value not in response["body"]
    for error in json_body(response)["errors"]:
        assert error["message"]
        assert error["message"][0].isupper()
