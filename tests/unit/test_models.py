"""The request model's rules, field by field, each with the code the page keys on: what is
refused and why, what is folded (NFC, E.164, spaces, CRLF), and the content that makes the
hash and the derived id (models.py). The visitor's words for each code are errors.py's."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from intake_common.domain.models import (
    CONSENT_VERSION_MAX,
    EMAIL_MAX,
    NAME_MAX,
    PHONE_MAX,
    REASON_MAX,
    AppointmentRequest,
)
from tests.support.data import valid_fields

TODAY = date(2026, 12, 2)


def _request(**overrides: Any) -> AppointmentRequest:
    return AppointmentRequest.model_validate(valid_fields(**overrides), context={"today": TODAY})


def _codes(**overrides: Any) -> dict[str, str]:
    """Each refused field and its code."""
    with pytest.raises(ValidationError) as caught:
        _request(**overrides)
    return {str(e["loc"][0]): e["type"] for e in caught.value.errors()}


# One character of each refused Unicode category.
CONTROLS = {
    "Cc (a C0 control)": "\x07",
    "Cc (a C1 control)": "\x85",
    "Cc (carriage return)": "\r",
    "Cf (zero-width space)": "\u200b",
    "Cf (right-to-left override)": "\u202e",
    "Cs (a lone surrogate)": "\ud800",
    "Co (private use)": "\ue000",
    "Cn (unassigned)": "\u0378",
}


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("field", ["full_name", "email", "phone", "reason"])
def test_a_control_or_invisible_character_is_refused_in_every_text_field(
    field: str, char: str
) -> None:
    values = {
        "full_name": f"Ana{char}Núñez",
        "email": f"ana{char}@example.org",
        "phone": f"415{char}5552671",
        "reason": f"Worry{char} most days",
    }
    assert _codes(**{field: values[field]}) == {field: "control_characters"}


@pytest.mark.parametrize("field", ["full_name", "email", "phone"])
def test_a_newline_is_refused_outside_the_reason(field: str) -> None:
    values = {"full_name": "Ana\nNúñez", "email": "ana\n@example.org", "phone": "415\n5552671"}
    assert _codes(**{field: values[field]}) == {field: "control_characters"}


def test_the_reason_keeps_its_newlines_and_folds_crlf() -> None:
    assert _request(reason="one\r\ntwo\nthree").reason == "one\ntwo\nthree"


def test_a_crlf_counts_as_one_character_of_the_reasons_limit() -> None:
    text = "a" * (REASON_MAX - 2) + "\r\n" + "b"
    assert _request(reason=text).reason == "a" * (REASON_MAX - 2) + "\nb"
    assert _codes(reason="a" * (REASON_MAX + 1)) == {"reason": "too_long"}
    assert len(_request(reason="a" * REASON_MAX).reason or "") == REASON_MAX


def test_the_reason_is_folded_to_nfc() -> None:
    assert _request(reason="Nu\u0303n\u0303ez").reason == "N\u0169\u00f1ez"


def test_blank_optional_fields_from_a_form_are_none() -> None:
    request = _request(reason="", preferred_date="")
    assert request.reason is None
    assert request.preferred_date is None
    assert _request(preferred_time="").preferred_time == "any"


def test_a_name_is_folded_trimmed_and_its_spaces_collapsed() -> None:
    assert _request(full_name="  Ana   Nu\u0301n\u0303ez  ").full_name == "Ana Núñez"


def test_a_name_left_blank_is_required_not_invalid() -> None:
    assert _codes(full_name="   ") == {"full_name": "required"}


def test_the_name_limit_is_100_characters() -> None:
    assert len(_request(full_name="A" * NAME_MAX).full_name) == NAME_MAX
    assert _codes(full_name="A" * (NAME_MAX + 1)) == {"full_name": "too_long"}


@pytest.mark.parametrize(
    "name",
    [
        "Ana 2",  # a digit
        "Ana_Núñez",  # punctuation names do not use
        "'-.,",  # punctuation alone: no letter
        "Ana \u3164",  # a Hangul filler: a letter that renders as nothing
        "Max\u0301\u0301\u0301\u0301",  # four marks stacked on one letter
        "Аna",  # Cyrillic А inside a Latin word
    ],
)
def test_names_staff_could_not_read_are_refused(name: str) -> None:
    assert _codes(full_name=name) == {"full_name": "name_characters"}


@pytest.mark.parametrize(
    "name",
    [
        "Max\u0301\u0301\u0301",  # three marks on one letter (Thai and Devanagari need them)
        "Anna-Мария",  # a Latin word and a Cyrillic word, joined by a hyphen
        "O’Brien",  # the typographic apostrophe
        "Ana, Núñez.",
        "Kaʻiulani",  # a modifier letter belongs to no script
        "佐々木",  # kanji with the iteration mark
        "李承晩김",  # hanja with hangul
    ],
)
def test_names_with_marks_joined_words_and_one_writing_system_pass(name: str) -> None:
    assert _request(full_name=name).full_name == name


def test_an_email_is_normalised_and_limited() -> None:
    assert _request(email=" Ana@Example.ORG ").email == "Ana@example.org"
    assert _codes(email="") == {"email": "required"}
    long = "a" * (EMAIL_MAX - len("@example.org") + 1) + "@example.org"
    assert _codes(email=long) == {"email": "too_long"}
    assert _codes(email="ana@") == {"email": "email_invalid"}
    assert _codes(email="ana.example.org") == {"email": "email_invalid"}


def test_a_phone_is_stored_in_e164_with_the_us_as_default_region() -> None:
    assert _request(phone="(415) 555-2671").phone == "+14155552671"
    assert _request(phone="+44 20 7946 0958").phone == "+442079460958"


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("", "required"),
        ("4" * (PHONE_MAX + 1), "too_long"),
        ("call me", "phone_invalid"),  # not a number at all
        ("(415) 555-267", "phone_invalid"),  # one digit short
        ("+1 900 555 0123", "phone_invalid"),  # premium rate: the call back would cost
    ],
)
def test_a_phone_staff_cannot_call_is_refused(phone: str, code: str) -> None:
    assert _codes(phone=phone) == {"phone": code}


@pytest.mark.parametrize(
    ("version", "code"),
    [
        (" ", "required"),
        ("a" * (CONSENT_VERSION_MAX + 1), "too_long"),
        ("2026 11", "consent_version_invalid"),
        ("2026-1é", "consent_version_invalid"),
        ("2026/11", "consent_version_invalid"),
    ],
)
def test_the_consent_version_is_a_short_plain_token(version: str, code: str) -> None:
    assert _codes(consent_version=version) == {"consent_version": code}


def test_the_consent_version_allows_letters_digits_dots_dashes_underscores() -> None:
    assert _request(consent_version="v2026.11_b-1").consent_version == "v2026.11_b-1"
    assert len(_request(consent_version="a" * CONSENT_VERSION_MAX).consent_version) == 32


def test_the_preferred_date_is_from_today_to_a_year_ahead() -> None:
    assert _request(preferred_date="2026-12-02").preferred_date == TODAY
    assert _codes(preferred_date="2026-12-01") == {"preferred_date": "date_in_past"}
    assert _request(preferred_date="2027-12-02").preferred_date == date(2027, 12, 2)
    assert _codes(preferred_date="2027-12-03") == {"preferred_date": "date_too_far"}


def test_a_year_after_29_february_is_28_february() -> None:
    leap = date(2028, 2, 29)
    fields = valid_fields(preferred_date="2029-02-28")
    request = AppointmentRequest.model_validate(fields, context={"today": leap})
    assert request.preferred_date == date(2029, 2, 28)
    with pytest.raises(ValidationError) as caught:
        AppointmentRequest.model_validate(
            valid_fields(preferred_date="2029-03-01"), context={"today": leap}
        )
    assert caught.value.errors()[0]["type"] == "date_too_far"


def test_texts_need_consent_and_consent_is_required() -> None:
    assert _codes(preferred_contact="text", sms_consent=False) == {
        "sms_consent": "sms_consent_required"
    }
    assert _request(preferred_contact="text", sms_consent=True).sms_consent
    assert _codes(consent=False) == {"consent": "consent_required"}


def test_the_honeypot_is_spam_only_with_something_in_it() -> None:
    assert not _request(website="").is_spam
    assert not _request(website="   ").is_spam
    assert _request(website="http://spam.example").is_spam


def test_what_is_stored_and_hashed_is_the_normalised_content() -> None:
    request = _request(
        full_name="Ana  Núñez",
        phone="(415) 555-2671",
        preferred_date="2026-12-10",
        reason="one\r\ntwo",
        confirmation_email=True,
        consent_version="2026-11",
    )
    assert request.normalised() == {
        "full_name": "Ana Núñez",
        "email": "ana.nunez@example.org",
        "phone": "+14155552671",
        "preferred_contact": "phone",
        "sms_consent": False,
        "visit_type": "new",
        "preferred_date": "2026-12-10",
        "preferred_time": "morning",
        "reason": "one\ntwo",
        "confirmation_email": True,
        "consent_version": "2026-11",
        "language": "en",
    }
    assert _request(preferred_date=None).normalised()["preferred_date"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"full_name": "Ana Núñez-Ortiz"},
        {"email": "ana@example.org"},
        {"phone": "(415) 555-2672"},
        {"preferred_contact": "email"},
        {"preferred_contact": "text", "sms_consent": True},
        {"visit_type": "returning"},
        {"preferred_date": "2026-12-10"},
        {"preferred_time": "evening"},
        {"reason": "Something else"},
        {"confirmation_email": True},
        {"consent_version": "2026-12"},
    ],
)
def test_any_change_of_content_changes_the_hash(change: dict[str, Any]) -> None:
    fixed = {"submission_id": str(uuid.uuid4())}
    same = _request(**fixed).content_hash()
    assert _request(**fixed).content_hash() == same
    assert _request(**fixed, **change).content_hash() != same
    assert len(same) == 64  # a sha-256, in hex
    assert int(same, 16) >= 0


def test_the_hash_ignores_the_id_the_honeypot_and_the_spacing_of_the_name() -> None:
    one = _request(full_name="Ana Núñez")
    other = _request(full_name=" Ana  Nu\u0301n\u0303ez", website="x")
    assert one.submission_id != other.submission_id
    assert one.content_hash() == other.content_hash()


def test_the_pages_language_is_kept_but_is_not_content() -> None:
    # The same request from the Spanish page is the same request (one id per content and day),
    # and the hashes of requests stored before the field existed still match their retries.
    spanish = _request(language="es")
    assert spanish.language == "es"
    assert spanish.normalised()["language"] == "es"
    assert _request().language == "en"
    assert spanish.content_hash() == _request().content_hash()
    assert spanish.derived_submission_id(TODAY) == _request().derived_submission_id(TODAY)
    assert _codes(language="fr") == {"language": "literal_error"}


def test_a_derived_id_is_one_per_content_and_day() -> None:
    request = _request()
    first = request.derived_submission_id(TODAY)
    assert first == _request().derived_submission_id(TODAY)
    assert first.version == 5
    assert request.derived_submission_id(date(2026, 12, 3)) != first
    assert _request(reason="Other").derived_submission_id(TODAY) != first


def test_the_content_hash_of_a_known_request_never_changes() -> None:
    # Stored items keep their hash: a retry after a deploy must still match it, so the way it
    # is made (sorted keys, UTF-8 not escaped, the page's language left out) is fixed.
    fields = {"reason": "Worry, most days.", "preferred_date": "2026-12-10"}
    # Made by the code before the language field existed (commit 628def8).
    expected = "9c82b31ec64314f709d209dc145a5207473b980a1f4296959ac35bc7fe5a2fb0"
    assert _request(**fields).content_hash() == expected
    assert _request(**fields, language="es").content_hash() == expected


def test_the_longest_email_and_phone_pass() -> None:
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    assert len(email) == EMAIL_MAX
    assert _request(email=email).email == email
    phone = "+1 (415)" + " " * 24 + "555-2671"
    assert len(phone) == PHONE_MAX
    assert _request(phone=phone).phone == "+14155552671"


def test_a_control_after_a_newline_in_the_reason_is_still_refused() -> None:
    assert _codes(reason="first line\nsecond\x07") == {"reason": "control_characters"}


def test_a_field_of_the_wrong_type_is_a_field_error_not_a_crash() -> None:
    assert _codes(full_name=123) == {"full_name": "string_type"}
    assert _codes(email=["a@example.org"]) == {"email": "string_type"}


def test_marks_are_counted_the_same_at_the_start_of_a_name() -> None:
    assert _request(full_name="\u0301\u0301\u0301x").full_name == "\u0301\u0301\u0301x"
    assert _codes(full_name="\u0301\u0301\u0301\u0301x") == {"full_name": "name_characters"}


@pytest.mark.parametrize("name", ["D’Артаньян", "D'Артаньян", "李々김"])
def test_apostrophes_split_words_and_a_family_may_be_used_whole(name: str) -> None:
    # A Latin particle and a Cyrillic name joined by an apostrophe are two words; a Korean
    # word may use hanja, the iteration mark and hangul together (all of its family).
    assert _request(full_name=name).full_name == name
