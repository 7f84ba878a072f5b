"""The visitor's words in both languages: every key of every catalogue exists in English and in
Spanish, and the answers follow the language asked for (errors.py; the no-JavaScript pages'
words, web.py; the confirmation's, render.py). The page's own words are checked by node
(tests/js/form.test.mjs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import ValidationError

from intake_common.domain import errors
from intake_common.domain.models import AppointmentRequest
from notify_staff import render
from submit_request import web
from tests.support.data import valid_fields

CATALOGUES: dict[str, Mapping[Any, Any]] = {
    "field labels": errors.LABELS,
    "field messages": errors._MESSAGES_BY_LANGUAGE,
    "generic messages": errors._GENERIC_BY_LANGUAGE,
    "fill in": errors._FILL_IN,
    "problems": errors.PROBLEMS,
    "no-JavaScript pages": web._PAGE_WORDS,
    "confirmation email": render._CONFIRMATION,
}


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_key_exists_in_both_languages_with_words(name: str) -> None:
    catalogue = CATALOGUES[name]
    assert set(catalogue) == set(errors.LANGUAGES)
    english, spanish = catalogue["en"], catalogue["es"]
    if isinstance(english, str):
        assert spanish.strip()
        assert spanish != english
        return
    assert set(spanish) == set(english)
    for key in english:
        assert spanish[key].strip(), key
    # Translated, not copied (a few words are the same in both, like "JSON" answers' codes).
    assert sum(spanish[key] != english[key] for key in english) >= len(english) - 1


def test_the_same_placeholders_are_filled_in_both_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for name in ("fill in", "confirmation email"):
        english, spanish = CATALOGUES[name]["en"], CATALOGUES[name]["es"]
        if isinstance(english, str):
            assert fields(spanish) == fields(english)
            continue
        for key in english:
            assert fields(spanish[key]) == fields(english[key]), (name, key)


def test_every_code_the_model_can_raise_has_words_in_both_languages() -> None:
    bad = valid_fields(
        full_name="",
        email="x" * 300,
        phone="call me",
        preferred_contact="pigeon",
        visit_type="",
        preferred_date="tomorrow",
        preferred_time="dawn",
        reason="\x07",
        consent=False,
        consent_version="no spaces",
        language="fr",
        unknown_field="x",
    )
    with pytest.raises(ValidationError) as caught:
        AppointmentRequest.model_validate(bad)
    details = caught.value.errors(include_input=False)
    english = errors.field_errors(details, "en")
    spanish = errors.field_errors(details, "es")

    assert [(e["field"], e["code"]) for e in spanish] == [(e["field"], e["code"]) for e in english]
    assert len(english) >= 10
    for en, es in zip(english, spanish, strict=True):
        assert en["message"] != es["message"], en["field"]
    # An unknown key is a problem of the whole request, in Spanish too, and never named.
    (body,) = [e for e in spanish if e["field"] == "body"]
    assert body == {
        "field": "body",
        "code": "extra_forbidden",
        "message": "La solicitud tiene un campo que no es parte del formulario.",
    }


def test_the_language_asked_for_is_english_unless_spanish() -> None:
    assert errors.language_of("es") == "es"
    for other in ("en", "fr", "ES", None, "", 1):
        assert errors.language_of(other) == "en"
    assert web.localised("/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/es/thank-you.html", "es") == "/es/thank-you.html"
    assert web.localised("/thank-you.html", "en") == "/thank-you.html"


def _error(field: str | None, kind: str) -> Any:
    loc = (field,) if field else ()
    return {"type": kind, "loc": loc, "msg": kind}


def test_each_field_gets_its_first_problem_in_form_order_and_unknown_keys_one_body_entry() -> None:
    found = errors.field_errors(
        [
            _error("phone", "phone_invalid"),
            _error("phone", "too_long"),  # the same field again: the first problem stands
            _error("surprise", "extra_forbidden"),
            _error("other_surprise", "extra_forbidden"),  # one body entry, and on it goes
            _error("full_name", "string_too_long"),
        ]
    )
    assert [(e["field"], e["code"]) for e in found] == [
        ("full_name", "too_long"),
        ("phone", "phone_invalid"),
        ("body", "extra_forbidden"),
    ]
    assert found[0]["message"] == "Please shorten your name to 100 characters or fewer."


def test_a_type_of_our_own_keeps_its_code_and_any_other_is_invalid() -> None:
    (own,) = errors.field_errors([_error("reason", "control_characters")])
    (other,) = errors.field_errors([_error("reason", "string_type")])
    (nowhere,) = errors.field_errors([_error(None, "json_invalid")])

    assert (own["code"], own["message"]) == (
        "control_characters",
        "This contains characters we cannot accept (such as invisible ones).",
    )
    assert (other["code"], other["message"]) == ("invalid", "This value is not valid.")
    # An error with no field is the whole request's, and said as the unknown-key one.
    assert (nowhere["field"], nowhere["code"]) == ("body", "extra_forbidden")


def test_a_missing_field_without_words_of_its_own_is_asked_for_by_its_label() -> None:
    missing = [_error("preferred_contact", "missing")]
    (english,) = errors.field_errors(missing)
    (spanish,) = errors.field_errors(missing, "es")
    (named,) = errors.field_errors([_error("email", "missing")])

    assert english == {
        "field": "preferred_contact",
        "code": "required",
        "message": "Please fill in how should we contact you.",
    }
    assert spanish["message"] == "Complete «Cómo prefiere que le contactemos», por favor."
    assert named["message"] == "Please enter your email address."  # its own words first


def test_one_fields_error_and_a_whole_requests_error_have_the_same_shape() -> None:
    assert errors.field_error("human_check", "human_check_failed", "es") == {
        "field": "human_check",
        "code": "human_check_failed",
        "message": errors._MESSAGES_BY_LANGUAGE["es"][("human_check", "human_check_failed")],
    }
    assert errors.field_error("reason", "too_long")["message"].startswith("Please shorten")
    assert errors.body_error("too_large", "Too big.") == {
        "errors": [{"field": "body", "code": "too_large", "message": "Too big."}]
    }


def test_a_code_raised_on_another_field_falls_back_to_the_generic_words() -> None:
    (found,) = errors.field_errors([_error("email", "phone_invalid")], "es")
    assert (found["code"], found["message"]) == ("phone_invalid", "Este valor no es válido.")


def test_the_pages_words_are_the_servers_by_language_field_and_code() -> None:
    pages = errors.page_messages()
    assert set(pages) == {"en", "es"}
    for language in ("en", "es"):
        messages = errors._MESSAGES_BY_LANGUAGE[language]
        for (field, code), message in messages.items():
            assert pages[language][field][code] == message
        # The page's own code for a choice left empty says what the server says for it.
        assert pages[language]["visit_type"]["required"] == messages[("visit_type", "invalid")]
        assert (
            pages[language]["preferred_contact"]["required"]
            == messages[("preferred_contact", "invalid")]
        )
    assert errors.problem("conflict") == errors.PROBLEMS["en"]["conflict"]
    assert errors.problem("conflict", "es").startswith("Esta solicitud ya se envió")
